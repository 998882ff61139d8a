import { ObjectId } from "mongodb";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { GET as progressRoute } from "@/app/api/contacts/bulk/[id]/route";
import { POST as bulkRoute } from "@/app/api/contacts/bulk/route";
import { DELETE as deleteListRoute } from "@/app/api/contact-lists/[id]/route";
import { GET as listsRoute, POST as createListRoute } from "@/app/api/contact-lists/route";
import { PUT as colorRoute } from "@/app/api/contact-tags/color/route";
import { POST as renameRoute } from "@/app/api/contact-tags/rename/route";
import { GET as tagsRoute } from "@/app/api/contact-tags/route";
import { GET as countRoute } from "@/app/api/contacts/count/route";
import { GET as exportRoute } from "@/app/api/contacts/export/route";
import { BULK_BATCH, runBulkAction } from "@/lib/contacts/bulk";
import { contactSearchTokens } from "@/lib/contacts/contact-fields";
import { scoped } from "@/lib/db/scoped";
import { encodeFilter } from "@/lib/schemas/contact-directory";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { SegmentGroup } from "@/lib/schemas/segment";
import { createOrg, request, routeParams } from "../support/factories";
import { seedConversation, seedMessage } from "../support/inbox-fixtures";

type User = Awaited<ReturnType<typeof createOrg>>["users"]["admin"];

/** `count` contacts in one insert; every third is tagged "lead". */
async function many(orgId: ObjectId, count: number, extra: (i: number) => Partial<Omit<ContactDoc, "orgId">> = () => ({})) {
  const t0 = Date.UTC(2026, 0, 1);
  const docs = Array.from({ length: count }, (_, i) => {
    const phone = `+1415${String(2_000_000 + i).padStart(7, "0")}`;
    const base = {
      _id: new ObjectId(),
      identityKey: phone,
      phone,
      waId: phone.slice(1),
      bsuid: null,
      username: null,
      name: `Bulk ${i}`,
      profileName: null,
      email: null,
      company: null,
      tags: i % 3 === 0 ? ["lead"] : [],
      customFields: {},
      consent: { state: "unknown" as const, marketing: false, changedAt: null, source: null },
      source: { kind: "import" as const, referral: null, at: new Date(t0) },
      lastInboundAt: null,
      searchTokens: [] as string[],
      createdAt: new Date(t0 + i * 1000),
      updatedAt: new Date(t0),
      ...extra(i),
    };
    return { ...base, searchTokens: contactSearchTokens(base) };
  });
  await scoped(orgId)("contacts").insertMany(docs);
  return docs;
}

async function startBulk(user: User, body: unknown) {
  const res = await bulkRoute(await request(user, "/api/contacts/bulk", { method: "POST", body }), routeParams({}));
  return { status: res.status, body: await res.json() };
}

async function progress(user: User, id: string) {
  return (await (await progressRoute(await request(user, `/api/contacts/bulk/${id}`), routeParams({ id }))).json()).bulkAction;
}

describe("bulk actions over every match, not only the page on screen", () => {
  it("tags every contact of a filter across batches as a job with progress, and says when nothing matches", async () => {
    const { orgId, users } = await createOrg();
    await many(orgId, BULK_BATCH * 2 + 37);
    const leads: SegmentGroup = { match: "all", conditions: [{ field: "tags", op: "has_any", value: ["lead"] }] };
    const leadCount = Math.ceil((BULK_BATCH * 2 + 37) / 3);

    const started = await startBulk(users.supervisor, { action: { kind: "add_tags", tags: ["Spring-Promo"] }, definition: leads });
    expect(started.status).toBe(202);
    expect(started.body.bulkAction).toMatchObject({ status: "queued", total: leadCount, done: 0 });
    await expect.poll(async () => (await progress(users.supervisor, started.body.bulkAction.id)).status, { timeout: 20_000 }).toBe("done");
    expect(await progress(users.supervisor, started.body.bulkAction.id)).toMatchObject({ total: leadCount, done: leadCount, changed: leadCount });
    expect(await scoped(orgId)("contacts").countDocuments({ tags: "spring-promo" })).toBe(leadCount);
    expect(await scoped(orgId)("contacts").countDocuments({ tags: "spring-promo", "tags.0": { $ne: "lead" } })).toBe(0);

    const none = await startBulk(users.supervisor, { action: { kind: "remove_tags", tags: ["vip"] }, q: "nobody-has-this-name" });
    expect(none).toEqual({ status: 200, body: { matched: 0, message: "No contact matches the selection: nothing was changed." } });
  });

  it("goes on from its cursor when a delivery runs out of time, without applying a batch twice", async () => {
    const { orgId, users } = await createOrg();
    await many(orgId, BULK_BATCH * 2 + 10);
    const started = await startBulk(users.admin, { action: { kind: "remove_tags", tags: ["lead"] } });
    const id = new ObjectId(started.body.bulkAction.id);
    // The in-process job may already be working on it; a delivery that finds it done is a no-op.
    await expect.poll(async () => (await progress(users.admin, id.toHexString())).status, { timeout: 20_000 }).toBe("done");
    expect((await runBulkAction(orgId, id, 0)).status).toBe("gone");
    const done = await progress(users.admin, id.toHexString());
    expect(done).toMatchObject({ total: BULK_BATCH * 2 + 10, done: BULK_BATCH * 2 + 10, changed: Math.ceil((BULK_BATCH * 2 + 10) / 3) });

    // A fresh action driven by hand, one batch per delivery (a budget of 0 ms).
    const again = await scoped(orgId)("contact_bulk_actions").insertOne({
      _id: new ObjectId(), action: { kind: "add_tags", tags: ["x"] }, q: null, definition: null, status: "queued", total: BULK_BATCH * 2 + 10, done: 0, changed: 0,
      cursor: null, error: null, createdBy: null, finishedAt: null, createdAt: new Date(), updatedAt: new Date(),
    });
    expect((await runBulkAction(orgId, again.insertedId, 0)).status).toBe("continues");
    expect((await runBulkAction(orgId, again.insertedId, 0)).status).toBe("continues");
    expect((await runBulkAction(orgId, again.insertedId, 0)).status).toBe("done");
    expect(await scoped(orgId)("contact_bulk_actions").findOne({ _id: again.insertedId })).toMatchObject({ done: BULK_BATCH * 2 + 10, changed: BULK_BATCH * 2 + 10, status: "done" });
  });

  it("deletes only after the count the person confirmed, with the contacts' conversations and messages, and nothing of another organization", async () => {
    const { orgId, users } = await createOrg();
    const other = await createOrg("Other");
    const conversation = await seedConversation(orgId, { name: "Doomed Customer" });
    await seedMessage(orgId, conversation, {});
    const keep = await seedConversation(orgId, { name: "Kept Customer" });
    const theirs = await seedConversation(other.orgId, { name: "Doomed Customer" });
    const doomed: SegmentGroup = { match: "all", conditions: [{ field: "name", op: "is", value: "doomed customer" }] };

    const unconfirmed = await startBulk(users.admin, { action: { kind: "delete" }, definition: doomed, confirmCount: 2 });
    expect(unconfirmed).toEqual({ status: 409, body: { error: { code: "conflict", message: "The selection now matches 1 contact, not the 2 contacts you confirmed. Check it and confirm again." } } });
    expect(await scoped(orgId)("contacts").countDocuments({})).toBe(2);

    const started = await startBulk(users.admin, { action: { kind: "delete" }, definition: doomed, confirmCount: 1 });
    expect(started.status).toBe(202);
    await expect.poll(async () => (await progress(users.admin, started.body.bulkAction.id)).status, { timeout: 20_000 }).toBe("done");
    const db = scoped(orgId);
    expect(await db("contacts").countDocuments({ _id: conversation.contactId })).toBe(0);
    expect(await db("conversations").countDocuments({ _id: conversation._id })).toBe(0);
    expect(await db("messages").countDocuments({ conversationId: conversation._id })).toBe(0);
    expect(await db("contacts").countDocuments({ _id: keep.contactId })).toBe(1);
    expect(await scoped(other.orgId)("contacts").countDocuments({ _id: theirs.contactId })).toBe(1);
    expect(await db("activity_logs").findOne({ action: "contacts.bulk_delete" })).toMatchObject({ actorName: users.admin.name, after: { matched: 1 } });
  });

  it("is for roles that manage contacts: a viewer can neither start one nor export", async () => {
    const { users } = await createOrg();
    expect((await startBulk(users.viewer, { action: { kind: "delete" }, confirmCount: 0 })).status).toBe(403);
    expect((await exportRoute(await request(users.viewer, "/api/contacts/export"), routeParams({}))).status).toBe(403);
  });
});

describe("owners", () => {
  it("sets an owner on every match, filters by owner, and refuses someone who is not a teammate here", async () => {
    const { orgId, users } = await createOrg();
    const other = await createOrg("Other");
    await many(orgId, 12);
    const leads: SegmentGroup = { match: "all", conditions: [{ field: "tags", op: "has_any", value: ["lead"] }] };
    const set = await startBulk(users.supervisor, { action: { kind: "set_owner", ownerId: users.agent._id.toHexString() }, definition: leads });
    await expect.poll(async () => (await progress(users.supervisor, set.body.bulkAction.id)).status, { timeout: 20_000 }).toBe("done");
    const owned: SegmentGroup = { match: "all", conditions: [{ field: "ownerId", op: "is_any_of", value: [users.agent._id.toHexString()] }] };
    expect(await (await countRoute(await request(users.viewer, `/api/contacts/count?filter=${encodeFilter(owned)}`), routeParams({}))).json()).toEqual({ count: 4, capped: false });
    const outsider = await startBulk(users.supervisor, { action: { kind: "set_owner", ownerId: other.users.agent._id.toHexString() } });
    expect(outsider).toEqual({ status: 404, body: { error: { code: "not_found", message: "That teammate was not found" } } });
    const nobody = await startBulk(users.supervisor, { action: { kind: "set_owner", ownerId: null }, definition: owned });
    await expect.poll(async () => (await progress(users.supervisor, nobody.body.bulkAction.id)).status, { timeout: 20_000 }).toBe("done");
    expect(await scoped(orgId)("contacts").countDocuments({ ownerId: { $ne: null } })).toBe(0);
  });
});

describe("static lists", () => {
  it("puts every match of a filter on a list, which then works as a segment condition, and deleting the list clears the membership", async () => {
    const { orgId, users } = await createOrg();
    const other = await createOrg("Other");
    await many(orgId, 30);
    const created = await createListRoute(await request(users.supervisor, "/api/contact-lists", { method: "POST", body: { name: "Fair visitors" } }), routeParams({}));
    expect(created.status).toBe(201);
    const { list } = await created.json();
    const dup = await createListRoute(await request(users.supervisor, "/api/contact-lists", { method: "POST", body: { name: "Fair visitors" } }), routeParams({}));
    expect(await dup.json()).toEqual({ error: { code: "conflict", message: 'A list named "Fair visitors" already exists' } });

    const leads: SegmentGroup = { match: "all", conditions: [{ field: "tags", op: "has_any", value: ["lead"] }] };
    const added = await startBulk(users.supervisor, { action: { kind: "add_to_list", listId: list.id }, definition: leads });
    await expect.poll(async () => (await progress(users.supervisor, added.body.bulkAction.id)).status, { timeout: 20_000 }).toBe("done");
    const lists = await (await listsRoute(await request(users.viewer, "/api/contact-lists"), routeParams({}))).json();
    expect(lists.lists).toEqual([expect.objectContaining({ name: "Fair visitors", members: 10 })]);

    // Another organization's list cannot be filled from here, nor deleted.
    const theirs = await (await createListRoute(await request(other.users.admin, "/api/contact-lists", { method: "POST", body: { name: "Theirs" } }), routeParams({}))).json();
    expect((await startBulk(users.supervisor, { action: { kind: "add_to_list", listId: theirs.list.id } })).status).toBe(404);
    expect((await deleteListRoute(await request(users.admin, `/api/contact-lists/${theirs.list.id}`, { method: "DELETE" }), routeParams({ id: theirs.list.id }))).status).toBe(404);

    const onList: SegmentGroup = { match: "all", conditions: [{ field: "listIds", op: "has_any", value: [list.id] }, { field: "name", op: "contains", value: "Bulk 1" }] };
    const count = await countRoute(await request(users.viewer, `/api/contacts/count?filter=${encodeFilter(onList)}`), routeParams({}));
    // On the list and named "Bulk 1…": Bulk 12, 15, 18 (every third contact is a lead).
    expect(await count.json()).toEqual({ count: 3, capped: false });

    const removed = await deleteListRoute(await request(users.supervisor, `/api/contact-lists/${list.id}`, { method: "DELETE" }), routeParams({ id: list.id }));
    const { cleanup } = await removed.json();
    await expect.poll(async () => (await progress(users.supervisor, cleanup)).status, { timeout: 20_000 }).toBe("done");
    expect(await scoped(orgId)("contacts").countDocuments({ listIds: new ObjectId(list.id) })).toBe(0);
    expect(await scoped(orgId)("contact_lists").countDocuments({})).toBe(0);
  });
});

describe("tag management", () => {
  it("counts each tag's contacts, renames a tag everywhere, merges one into another without doubles, and keeps colours per organization", async () => {
    const { orgId, users } = await createOrg();
    const other = await createOrg("Other");
    await many(orgId, 9, (i) => ({ tags: i < 3 ? ["vip", "lead"] : i < 6 ? ["lead"] : ["VIP-old".toLowerCase()] }));
    await many(other.orgId, 2, () => ({ tags: ["lead"] }));
    const usage = async (user: User) => (await (await tagsRoute(await request(user, "/api/contact-tags"), routeParams({}))).json()).tags;
    expect(await usage(users.viewer)).toEqual([
      { name: "lead", count: 6, color: "slate" },
      { name: "vip", count: 3, color: "slate" },
      { name: "vip-old", count: 3, color: "slate" },
    ]);

    const colored = await colorRoute(await request(users.supervisor, "/api/contact-tags/color", { method: "PUT", body: { name: "vip-old", color: "amber" } }), routeParams({}));
    expect(colored.status).toBe(200);
    const badColor = await colorRoute(await request(users.supervisor, "/api/contact-tags/color", { method: "PUT", body: { name: "vip", color: "plaid" } }), routeParams({}));
    expect(badColor.status).toBe(422);

    // Merge "vip-old" into "vip": the colour follows to a tag that had none.
    const merged = await renameRoute(await request(users.supervisor, "/api/contact-tags/rename", { method: "POST", body: { from: "VIP-old", to: "vip" } }), routeParams({}));
    expect(merged.status).toBe(202);
    const { bulkAction } = await merged.json();
    await expect.poll(async () => (await progress(users.supervisor, bulkAction.id)).status, { timeout: 20_000 }).toBe("done");
    expect(await usage(users.viewer)).toEqual([
      { name: "lead", count: 6, color: "slate" },
      { name: "vip", count: 6, color: "amber" },
    ]);
    expect(await scoped(orgId)("contacts").countDocuments({ "tags.2": { $exists: true } })).toBe(0);
    expect(await usage(other.users.admin)).toEqual([{ name: "lead", count: 2, color: "slate" }]);

    const same = await renameRoute(await request(users.supervisor, "/api/contact-tags/rename", { method: "POST", body: { from: "vip", to: "VIP" } }), routeParams({}));
    expect((await same.json()).error.message).toBe("The new name is the same as the old one");
    const none = await renameRoute(await request(users.supervisor, "/api/contact-tags/rename", { method: "POST", body: { from: "ghost", to: "spirit" } }), routeParams({}));
    expect(await none.json()).toMatchObject({ matched: 0 });
  });
});

describe("export", () => {
  it("streams the selection as CSV with the chosen columns, spreadsheet-safe, and audits who exported it", async () => {
    const { orgId, users } = await createOrg();
    await many(orgId, 1_205, (i) => (i === 0 ? { name: "=HYPERLINK(\"http://evil\")", company: "Ünïcode GmbH", customFields: { plan: "gold" } } : {}));
    const leads: SegmentGroup = { match: "all", conditions: [{ field: "tags", op: "has_any", value: ["lead"] }] };
    const res = await exportRoute(await request(users.admin, `/api/contacts/export?filter=${encodeFilter(leads)}&columns=name,phone,company,tags,customFields.plan`), routeParams({}));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="contacts-\d{4}-\d{2}-\d{2}\.csv"$/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    // A UTF-8 byte order mark first, so Excel shows Ü as Ü.
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows: string[][] = parse(new TextDecoder().decode(bytes));
    expect(rows[0]).toEqual(["name", "phone", "company", "tags", "customFields.plan"]);
    expect(rows).toHaveLength(1 + Math.ceil(1_205 / 3));
    expect(rows.at(-1)).toEqual(["'=HYPERLINK(\"http://evil\")", "+14152000000", "Ünïcode GmbH", "lead", "gold"]);
    expect(new Set(rows.slice(1).map((r) => r[1])).size).toBe(rows.length - 1);
    expect(await scoped(orgId)("activity_logs").findOne({ action: "contacts.exported" })).toMatchObject({ actorName: users.admin.name });

    const bad = await exportRoute(await request(users.admin, "/api/contacts/export?columns=name,password"), routeParams({}));
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.message).toMatch(/unknown column "password"/);
  });
});
