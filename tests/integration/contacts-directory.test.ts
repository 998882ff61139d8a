import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { GET as countRoute } from "@/app/api/contacts/count/route";
import { POST as noteRoute } from "@/app/api/contacts/[id]/notes/route";
import { PATCH as patchRoute } from "@/app/api/contacts/[id]/route";
import { GET as listRoute, POST as createRoute } from "@/app/api/contacts/route";
import { DELETE as deleteSegmentRoute, GET as getSegmentRoute, PUT as putSegmentRoute } from "@/app/api/segments/[id]/route";
import { POST as previewRoute } from "@/app/api/segments/preview/route";
import { GET as listSegmentsRoute, POST as createSegmentRoute } from "@/app/api/segments/route";
import { contactSearchTokens } from "@/lib/contacts/contact-fields";
import { contactProfile } from "@/lib/contacts/profile";
import { recordConsent } from "@/lib/webhook/consent";
import { seedConversation } from "../support/inbox-fixtures";
import { scoped } from "@/lib/db/scoped";
import { encodeFilter } from "@/lib/schemas/contact-directory";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { SegmentGroup } from "@/lib/schemas/segment";
import { createOrg, request, routeParams } from "../support/factories";

type Users = Awaited<ReturnType<typeof createOrg>>["users"];
let n = 0;

/** A contact as the webhook or an import would store it. */
async function contact(orgId: ObjectId, fields: Partial<ContactDoc> = {}): Promise<ContactDoc> {
  n++;
  const phone = fields.phone === undefined ? `+1415555${String(1000 + n).padStart(4, "0")}` : fields.phone;
  const base = {
    _id: new ObjectId(),
    orgId,
    identityKey: phone ?? `bsuid:US.${n}`,
    phone,
    waId: phone ? phone.slice(1) : null,
    bsuid: null,
    username: null,
    name: `Person ${n}`,
    profileName: null,
    email: null,
    company: null,
    tags: [],
    customFields: {},
    consent: { state: "unknown" as const, marketing: false, changedAt: null, source: null },
    source: { kind: "whatsapp" as const, referral: null, at: new Date() },
    lastInboundAt: null,
    searchTokens: [],
    createdAt: new Date(Date.UTC(2026, 0, 1) + n * 60_000),
    updatedAt: new Date(),
    ...fields,
  };
  const { orgId: _, ...doc } = { ...base, searchTokens: contactSearchTokens(base) };
  await scoped(orgId)("contacts").insertOne(doc);
  return { ...doc, orgId };
}

async function list(user: Users["admin"], params: Record<string, string> = {}) {
  const res = await listRoute(await request(user, `/api/contacts?${new URLSearchParams(params)}`), routeParams({}));
  return { status: res.status, body: await res.json() };
}

async function all(user: Users["admin"], params: Record<string, string> = {}) {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const { status, body } = await list(user, { ...params, limit: "3", ...(cursor ? { cursor } : {}) });
    expect(status).toBe(200);
    seen.push(...body.contacts.map((c: { name: string | null; phone: string }) => c.name ?? c.phone));
    cursor = body.nextCursor;
  } while (cursor);
  return seen;
}

describe("the contacts directory", () => {
  it("pages through every contact once in each sort order, missing names and never-messaged contacts included", async () => {
    const { orgId, users } = await createOrg();
    await contact(orgId, { name: "Bea", lastInboundAt: new Date("2026-11-01") });
    await contact(orgId, { name: null, phone: "+14155550999", lastInboundAt: null });
    await contact(orgId, { name: "Ana", lastInboundAt: new Date("2026-11-03") });
    await contact(orgId, { name: "Cleo", lastInboundAt: null });
    await contact(orgId, { name: "Ana", lastInboundAt: new Date("2026-11-02") });
    await contact(orgId, { name: "Dov", lastInboundAt: new Date("2026-11-03") });
    await contact(orgId, { name: null, phone: "+14155550998", lastInboundAt: new Date("2026-10-01") });

    expect(await all(users.admin, { sort: "newest" })).toEqual(["+14155550998", "Dov", "Ana", "Cleo", "Ana", "+14155550999", "Bea"]);
    expect(await all(users.admin, { sort: "oldest" })).toEqual(["Bea", "+14155550999", "Ana", "Cleo", "Ana", "Dov", "+14155550998"]);
    // Nameless contacts first (they sort lowest), then by name; ties by creation.
    expect(await all(users.admin, { sort: "name" })).toEqual(["+14155550999", "+14155550998", "Ana", "Ana", "Bea", "Cleo", "Dov"]);
    // Latest message first; contacts who never wrote come last.
    expect(await all(users.admin, { sort: "recent_activity" })).toEqual(["Dov", "Ana", "Ana", "Bea", "+14155550998", "Cleo", "+14155550999"]);
  });

  it("searches by name, phone, email and company, and filters by a segment definition in the URL", async () => {
    const { orgId, users } = await createOrg();
    await contact(orgId, { name: "María García", email: "maria@quillmoor.example", company: "Quillmoor", tags: ["vip"], consent: { state: "opted_in", marketing: true, changedAt: new Date(), source: "import" } });
    await contact(orgId, { name: "Tom Baker", phone: "+4930123456", company: "Zephyrine", tags: ["lead"] });
    await contact(orgId, { name: "Ana Vip", tags: ["vip"] });

    const names = async (params: Record<string, string>) => (await list(users.supervisor, params)).body.contacts.map((c: { name: string }) => c.name);
    expect(await names({ q: "maria" })).toEqual(["María García"]);
    expect(await names({ q: "quillmoor" })).toEqual(["María García"]);
    expect(await names({ q: "zephy" })).toEqual(["Tom Baker"]);
    expect(await names({ q: "4930123" })).toEqual(["Tom Baker"]);

    const vipOptedIn: SegmentGroup = { match: "all", conditions: [{ field: "tags", op: "has_any", value: ["VIP"] }, { field: "consent.state", op: "is", value: "opted_in" }] };
    expect(await names({ filter: encodeFilter(vipOptedIn) })).toEqual(["María García"]);
    const vipOrBerlin: SegmentGroup = { match: "any", conditions: [{ field: "tags", op: "has_all", value: ["vip"] }, { field: "phone", op: "starts_with", value: "+49" }] };
    expect(await names({ filter: encodeFilter(vipOrBerlin) })).toEqual(["Ana Vip", "Tom Baker", "María García"]);
    expect(await names({ q: "ana", filter: encodeFilter(vipOrBerlin) })).toEqual(["Ana Vip"]);

    const count = await countRoute(await request(users.viewer, `/api/contacts/count?filter=${encodeFilter(vipOrBerlin)}`), routeParams({}));
    expect(await count.json()).toEqual({ count: 3, capped: false });
  });

  it("refuses a filter with an unknown field or operator, naming it, and a broken cursor", async () => {
    const { users } = await createOrg();
    const unknownField = await list(users.admin, { filter: encodeFilter({ match: "all", conditions: [{ field: "salary", op: "is", value: "1" }] }) });
    expect(unknownField).toEqual({ status: 422, body: { error: { code: "unprocessable_entity", message: 'definition.conditions[0]: unknown field "salary"' } } });
    const unknownOp = await list(users.admin, { filter: encodeFilter({ match: "all", conditions: [{ field: "name", op: "sounds_like" as "is", value: "x" }] }) });
    expect(unknownOp.status).toBe(422);
    expect(unknownOp.body.error.message).toMatch(/^filter: conditions\.0\.op: /);
    expect((await list(users.admin, { filter: "not-base64-json" })).body.error.message).toMatch(/not a valid filter/);
    expect((await list(users.admin, { cursor: "bogus" })).body).toEqual({ error: { code: "bad_request", message: "The cursor is not valid; start from the first page" } });
  });

  it("creates a contact by hand with the phone in E.164, and refuses a duplicate in another format or a bad phone", async () => {
    const { orgId, users } = await createOrg();
    const post = async (body: unknown) => {
      const res = await createRoute(await request(users.supervisor, "/api/contacts", { method: "POST", body }), routeParams({}));
      return { status: res.status, body: await res.json() };
    };
    const created = await post({ phone: "(415) 555-0142", defaultCountry: "us", name: "Walk-in", email: "Walk@In.example", tags: ["Booth"] });
    expect(created.status).toBe(201);
    expect(created.body.contact).toMatchObject({ phone: "+14155550142", name: "Walk-in", email: "walk@in.example", tags: ["booth"], source: { kind: "manual" } });
    expect(await post({ phone: "+1 415 555 0142" })).toEqual({ status: 409, body: { error: { code: "conflict", message: "A contact with the phone +14155550142 already exists" } } });
    expect((await post({ phone: "12", defaultCountry: "US" })).body.error.message).toBe('phone: "12" is not a valid phone number for US');
    expect((await post({ name: "No identity" })).body.error.message).toMatch(/phone number or a WhatsApp user id/);
    expect(await scoped(orgId)("contacts").countDocuments({})).toBe(1);
    const audit = await scoped(orgId)("activity_logs").findOne({ action: "contact.created" });
    expect(audit).toMatchObject({ actorName: users.supervisor.name, entityType: "contact" });
    // By a business-scoped user id, for a username-only WhatsApp user.
    expect((await post({ bsuid: "US.13491208655302741918" })).body.contact).toMatchObject({ phone: null });
  });

  it("keeps the directory to roles that may see every customer: agents and signed-out callers are refused", async () => {
    const { users } = await createOrg();
    expect((await list(users.agent)).status).toBe(403);
    expect((await list(users.viewer)).status).toBe(200);
    const viewerCreates = await createRoute(await request(users.viewer, "/api/contacts", { method: "POST", body: { phone: "+14155550100" } }), routeParams({}));
    expect(viewerCreates.status).toBe(403);
  });
});

describe("a contact's owner", () => {
  it("is set and cleared through the contact's PATCH, and only to a teammate of the organization", async () => {
    const { orgId, users } = await createOrg();
    const other = await createOrg("Other");
    const c = await contact(orgId, { name: "Owned" });
    const patch = async (ownerId: string | null) => {
      const res = await patchRoute(await request(users.supervisor, `/api/contacts/${c._id}`, { method: "PATCH", body: { ownerId } }), routeParams({ id: c._id.toHexString() }));
      return { status: res.status, body: await res.json() };
    };
    expect((await patch(users.agent._id.toHexString())).body.contact.ownerId).toBe(users.agent._id.toHexString());
    expect(await patch(other.users.agent._id.toHexString())).toEqual({ status: 422, body: { error: { code: "unprocessable_entity", message: "ownerId: that teammate was not found" } } });
    expect((await patch(null)).body.contact.ownerId).toBeNull();
    expect(await scoped(orgId)("activity_logs").countDocuments({ action: "contact.updated", entityId: c._id })).toBe(2);
  });
});

describe("editing a contact's page", () => {
  it("changes the phone (as the WhatsApp identity, E.164), address and language, refuses a taken or local phone, and adds notes to the timeline", async () => {
    const { orgId, users } = await createOrg();
    const c = await contact(orgId, { name: "Pia" });
    const taken = await contact(orgId, { name: "Other", phone: "+4930555000" });
    const patch = async (body: unknown) => {
      const res = await patchRoute(await request(users.supervisor, `/api/contacts/${c._id}`, { method: "PATCH", body }), routeParams({ id: c._id.toHexString() }));
      return { status: res.status, body: await res.json() };
    };
    const ok = await patch({ phone: "+49 30 1234 5678", address: "Torstraße 1, Berlin", language: "de" });
    expect(ok.body.contact).toMatchObject({ phone: "+493012345678", address: "Torstraße 1, Berlin", language: "de" });
    expect(await scoped(orgId)("contacts").findOne({ _id: c._id })).toMatchObject({ identityKey: "+493012345678", waId: "493012345678" });
    expect(await patch({ phone: taken.phone })).toEqual({ status: 409, body: { error: { code: "conflict", message: "Another contact already has the phone +4930555000: merge the two instead" } } });
    expect((await patch({ phone: "030 1234" })).body.error.message).toBe('phone: "030 1234" is not a phone number with + and its country code');
    expect((await patch({ language: "German" })).status).toBe(422);

    const note = await noteRoute(await request(users.supervisor, `/api/contacts/${c._id}/notes`, { method: "POST", body: { text: "Prefers calls after 5 pm" } }), routeParams({ id: c._id.toHexString() }));
    expect(note.status).toBe(201);
    const profile = await contactProfile(orgId, c._id);
    expect(profile.timeline[0]).toMatchObject({ kind: "note", title: `Note by ${users.supervisor.name}`, detail: "Prefers calls after 5 pm" });
    const viewerNote = await noteRoute(await request(users.viewer, `/api/contacts/${c._id}/notes`, { method: "POST", body: { text: "x" } }), routeParams({ id: c._id.toHexString() }));
    expect(viewerNote.status).toBe(403);
    const other = await createOrg("Other");
    const crossNote = await noteRoute(await request(other.users.admin, `/api/contacts/${c._id}/notes`, { method: "POST", body: { text: "x" } }), routeParams({ id: c._id.toHexString() }));
    expect(crossNote.status).toBe(404);
  });
});

describe("segments", () => {
  it("saves, previews with a live count, lists, renames and deletes a segment; the directory filters by it", async () => {
    const { orgId, users } = await createOrg();
    await contact(orgId, { name: "Recent", lastInboundAt: new Date(Date.now() - 2 * 86_400_000) });
    await contact(orgId, { name: "Old", lastInboundAt: new Date(Date.now() - 40 * 86_400_000) });
    await contact(orgId, { name: "Never" });
    const definition: SegmentGroup = { match: "all", conditions: [{ field: "lastInboundAt", op: "in_last_days", value: 30 }] };

    const preview = await previewRoute(await request(users.viewer, "/api/segments/preview", { method: "POST", body: { definition } }), routeParams({}));
    const previewed = await preview.json();
    expect(previewed.count).toBe(1);
    expect(previewed.contacts.map((c: { name: string }) => c.name)).toEqual(["Recent"]);

    const created = await createSegmentRoute(await request(users.supervisor, "/api/segments", { method: "POST", body: { name: "Active this month", definition } }), routeParams({}));
    expect(created.status).toBe(201);
    const { segment } = await created.json();
    const again = await createSegmentRoute(await request(users.supervisor, "/api/segments", { method: "POST", body: { name: "Active this month", definition } }), routeParams({}));
    expect(await again.json()).toEqual({ error: { code: "conflict", message: 'A segment named "Active this month" already exists' } });

    expect((await list(users.admin, { segmentId: segment.id })).body.contacts.map((c: { name: string }) => c.name)).toEqual(["Recent"]);

    const wider: SegmentGroup = { match: "any", conditions: [...definition.conditions, { field: "lastInboundAt", op: "is_not_set" }] };
    const put = await putSegmentRoute(await request(users.supervisor, `/api/segments/${segment.id}`, { method: "PUT", body: { name: "Active or new", definition: wider } }), routeParams({ id: segment.id }));
    expect((await put.json()).segment).toMatchObject({ name: "Active or new" });
    expect((await list(users.admin, { segmentId: segment.id })).body.contacts.map((c: { name: string }) => c.name)).toEqual(["Never", "Recent"]);
    const listed = await (await listSegmentsRoute(await request(users.viewer, "/api/segments"), routeParams({}))).json();
    expect(listed.segments.map((s: { name: string }) => s.name)).toEqual(["Active or new"]);

    const bad = await createSegmentRoute(
      await request(users.supervisor, "/api/segments", { method: "POST", body: { name: "Broken", definition: { match: "all", conditions: [{ field: "tags", op: "before", value: "2026-01-01" }] } } }),
      routeParams({}),
    );
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.message).toMatch(/Tags does not take "before"/);

    const del = await deleteSegmentRoute(await request(users.supervisor, `/api/segments/${segment.id}`, { method: "DELETE" }), routeParams({ id: segment.id }));
    expect(del.status).toBe(200);
    expect((await list(users.admin, { segmentId: segment.id })).status).toBe(404);
    expect(await scoped(orgId)("activity_logs").countDocuments({ entityType: "segment" })).toBe(3);
  });

  it("never shows or counts another organization's contacts, and another organization's segment is not found", async () => {
    const a = await createOrg("A");
    const b = await createOrg("B");
    await contact(a.orgId, { name: "Alice of A", tags: ["vip"] });
    await contact(b.orgId, { name: "Bob of B", tags: ["vip"] });
    const definition: SegmentGroup = { match: "all", conditions: [{ field: "tags", op: "has_any", value: ["vip"] }] };
    const preview = await (await previewRoute(await request(b.users.admin, "/api/segments/preview", { method: "POST", body: { definition } }), routeParams({}))).json();
    expect(preview).toMatchObject({ count: 1, contacts: [{ name: "Bob of B" }] });
    expect((await list(b.users.admin, { q: "alice" })).body.contacts).toEqual([]);

    const created = await createSegmentRoute(await request(a.users.admin, "/api/segments", { method: "POST", body: { name: "VIP", definition } }), routeParams({}));
    const { segment } = await created.json();
    expect((await getSegmentRoute(await request(b.users.admin, `/api/segments/${segment.id}`), routeParams({ id: segment.id }))).status).toBe(404);
    expect((await list(b.users.admin, { segmentId: segment.id })).status).toBe(404);
    const del = await deleteSegmentRoute(await request(b.users.admin, `/api/segments/${segment.id}`, { method: "DELETE" }), routeParams({ id: segment.id }));
    expect(del.status).toBe(404);
    expect(await scoped(a.orgId)("segments").countDocuments({})).toBe(1);
  });
});

describe("a contact's page", () => {
  it("shows the person's conversations, consent ledger and edits in one timeline, newest first, and nothing of another organization", async () => {
    const { orgId, users } = await createOrg();
    const conversation = await seedConversation(orgId, {});
    const contactId = conversation.contactId;
    await recordConsent(orgId, contactId, { eventId: new ObjectId(), state: "opted_out", channel: "all", source: "keyword", detail: '"STOP" in message wamid.1', at: new Date(Date.now() + 1_000) });
    const created = await createRoute(await request(users.admin, "/api/contacts", { method: "POST", body: { phone: "+14155550177", name: "Other" } }), routeParams({}));
    expect(created.status).toBe(201);

    const profile = await contactProfile(orgId, contactId);
    expect(profile.contact.consent.state).toBe("opted_out");
    expect(profile.consentHistory).toEqual([expect.objectContaining({ state: "opted_out", source: "keyword", detail: '"STOP" in message wamid.1' })]);
    expect(profile.timeline.map((t) => t.kind)).toEqual(["consent", "conversation"]);
    expect(profile.timeline[1]).toMatchObject({ href: `/inbox/${conversation._id.toHexString()}` });

    const other = await createOrg("Other org");
    await expect(contactProfile(other.orgId, contactId)).rejects.toMatchObject({ code: "not_found" });
  });
});
