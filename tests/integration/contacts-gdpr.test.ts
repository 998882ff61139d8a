import { describe, expect, it } from "vitest";
import { GET as dataRoute } from "@/app/api/contacts/[id]/data/route";
import { POST as eraseRoute } from "@/app/api/contacts/[id]/erase/route";
import { POST as bulkRoute } from "@/app/api/contacts/bulk/route";
import { GET as listRoute } from "@/app/api/contacts/route";
import { contactProfile } from "@/lib/contacts/profile";
import { suppressedIdentities } from "@/lib/contacts/gdpr";
import { scoped } from "@/lib/db/scoped";
import { moveJourneyStage } from "@/lib/journey/journey";
import { encodeFilter } from "@/lib/schemas/contact-directory";
import { recordConsent } from "@/lib/webhook/consent";
import { findMedia, saveMedia } from "@/lib/whatsapp/media-store";
import { ObjectId } from "mongodb";
import { request, routeParams } from "../support/factories";
import { envelope, orgWithAccount, postWebhook, textMessage } from "../support/whatsapp-webhook";

/** A customer who wrote twice through the real webhook, with a photo stored in the app and a STOP in the ledger. */
async function customer(phone: string, name: string) {
  const org = await orgWithAccount();
  for (const [i, text] of ["Hi, my address is 12 Elm Street", "Here is my passport"].entries()) {
    const res = await postWebhook(envelope(org.account, textMessage(phone, `wamid.gdpr-${phone}-${i}`, text, Math.floor(Date.now() / 1000) + i, name)));
    expect(res.status).toBe(200);
  }
  const db = scoped(org.orgId);
  const contact = (await db("contacts").findOne({ phone: `+${phone}` }))!;
  const fileId = await saveMedia({ bytes: new Uint8Array([1, 2, 3]), filename: "passport.jpg", meta: { orgId: org.orgId, mimeType: "image/jpeg", source: "upload", messageId: null, uploadedBy: null } });
  await db("messages").updateOne(
    { waMessageId: `wamid.gdpr-${phone}-1` },
    { $set: { type: "image", media: { waMediaId: "m1", mimeType: "image/jpeg", sha256: null, filename: "passport.jpg", caption: "Here is my passport", size: 3, fileId, download: "done", downloadError: null } } },
  );
  await recordConsent(org.orgId, contact._id, { eventId: new ObjectId(), state: "opted_in", channel: "marketing", source: "agent", detail: "Said yes on the phone to Ana", at: new Date() });
  return { ...org, contact, fileId };
}

describe("GDPR: access and erasure", () => {
  it("exports everything held about a person as one JSON file, and audits it", async () => {
    const { orgId, users, contact } = await customer("4915112345601", "Greta Example");
    const res = await dataRoute(await request(users.supervisor, `/api/contacts/${contact._id}/data`), routeParams({ id: contact._id.toHexString() }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="contact-${contact._id.toHexString()}.json"`);
    const bundle = await res.json();
    expect(bundle.contact).toMatchObject({ name: "Greta Example", phone: "+4915112345601" });
    expect(bundle.contact.orgId).toBeUndefined();
    expect(bundle.conversations).toHaveLength(1);
    expect(bundle.messages.map((m: { text: string }) => m.text)).toEqual(["Hi, my address is 12 Elm Street", "Here is my passport"]);
    expect(bundle.consentHistory).toEqual([expect.objectContaining({ state: "opted_in", detail: "Said yes on the phone to Ana" })]);
    expect(await scoped(orgId)("activity_logs").findOne({ action: "contact.data_exported" })).toMatchObject({ actorName: users.supervisor.name });
  });

  it("erases a person: their fields, message text and files are gone, counts stay, a hash remains, and writing again starts a new contact without their opt-in", async () => {
    const { orgId, users, contact, fileId, account } = await customer("4915112345602", "Hans Example");
    const db = scoped(orgId);
    const conversation = (await db("conversations").findOne({ contactId: contact._id }))!;

    // On the journey board: erasing takes them off it, history included.
    await moveJourneyStage(orgId, { id: users.supervisor._id, name: users.supervisor.name }, contact._id, { stage: "purchase" });

    const unconfirmed = await eraseRoute(await request(users.supervisor, `/api/contacts/${contact._id}/erase`, { method: "POST", body: {} }), routeParams({ id: contact._id.toHexString() }));
    expect(unconfirmed.status).toBe(422);
    expect(await db("contacts").countDocuments({ _id: contact._id, name: "Hans Example" })).toBe(1);

    const res = await eraseRoute(await request(users.supervisor, `/api/contacts/${contact._id}/erase`, { method: "POST", body: { confirm: "erase" } }), routeParams({ id: contact._id.toHexString() }));
    expect(res.status).toBe(200);

    const erased = (await db("contacts").findOne({ _id: contact._id }))!;
    expect(erased).toMatchObject({ name: null, profileName: null, phone: null, waId: null, email: null, tags: [], customFields: {}, searchTokens: [], identityKey: `erased:${contact._id.toHexString()}` });
    expect(erased.erasedAt).toBeInstanceOf(Date);
    expect(erased.journey).toBeNull();
    expect(await db("customer_journeys").countDocuments({ contactId: contact._id })).toBe(0);
    const messages = await db("messages").find({ conversationId: conversation._id }).toArray();
    expect(messages).toHaveLength(2);
    // The text message keeps no media at all (MongoDB refuses fields set inside a null; found by the API fuzzer).
    expect(messages.map((m) => [m.text, m.searchTokens, m.media && { caption: m.media.caption, fileId: m.media.fileId, mimeType: m.media.mimeType }])).toEqual([
      [null, [], null],
      [null, [], { caption: null, fileId: null, mimeType: "image/jpeg" }],
    ]);
    expect((await db("conversations").findOne({ _id: conversation._id }))!.source).toBeNull();
    expect(await findMedia(orgId, fileId)).toBeNull();
    expect(await db("conversations").findOne({ _id: conversation._id })).toMatchObject({ contact: { name: "Erased contact", phone: null }, searchTokens: [], lastMessage: { preview: "" }, status: "closed", unreadCount: 0 });
    expect((await db("consent_events").find({ contactId: contact._id }).toArray()).map((e) => [e.state, e.detail])).toEqual([["opted_in", null]]);
    expect(await suppressedIdentities(orgId, ["+4915112345602", "+4915112345699"])).toEqual(new Set(["+4915112345602"]));
    expect(JSON.stringify(await db("suppressions").find({}).toArray())).not.toContain("4915112345602");
    expect(await db("activity_logs").findOne({ action: "contact.erased", entityId: contact._id })).toMatchObject({ actorName: users.supervisor.name });

    // Gone from the directory, the profile and search; a second erase finds nothing.
    const listed = await (await listRoute(await request(users.admin, "/api/contacts?q=hans"), routeParams({}))).json();
    expect(listed.contacts).toEqual([]);
    await expect(contactProfile(orgId, contact._id)).rejects.toMatchObject({ code: "not_found" });
    const again = await eraseRoute(await request(users.supervisor, `/api/contacts/${contact._id}/erase`, { method: "POST", body: { confirm: "erase" } }), routeParams({ id: contact._id.toHexString() }));
    expect(again.status).toBe(404);

    // They write again: a new contact, a new conversation, and no marketing opt-in carried over.
    const back = await postWebhook(envelope(account, textMessage("4915112345602", "wamid.gdpr-back", "Hello again", Math.floor(Date.now() / 1000) + 10, "Hans")));
    expect(back.status).toBe(200);
    const fresh = (await db("contacts").findOne({ phone: "+4915112345602" }))!;
    expect(fresh._id.equals(contact._id)).toBe(false);
    expect(fresh.consent).toMatchObject({ state: "unknown", marketing: false });
    expect(await db("conversations").countDocuments({ contactId: fresh._id })).toBe(1);
  });

  it("erases by criteria as a bulk action that confirms its count, and never another organization's people", async () => {
    const a = await customer("4915112345603", "Ida Delete-Me");
    const b = await customer("4915112345604", "Ida Delete-Me");
    const definition = { match: "all" as const, conditions: [{ field: "name", op: "contains" as const, value: "Delete-Me" }] };
    const start = await bulkRoute(await request(a.users.admin, "/api/contacts/bulk", { method: "POST", body: { action: { kind: "erase" }, definition, confirmCount: 1 } }), routeParams({}));
    expect(start.status).toBe(202);
    const { bulkAction } = await start.json();
    await expect.poll(async () => (await scoped(a.orgId)("contact_bulk_actions").findOne({ _id: new ObjectId(bulkAction.id) }))?.status, { timeout: 20_000 }).toBe("done");
    expect(await scoped(a.orgId)("contacts").findOne({ _id: a.contact._id })).toMatchObject({ name: null });
    expect(await scoped(b.orgId)("contacts").findOne({ _id: b.contact._id })).toMatchObject({ name: "Ida Delete-Me" });
    const count = await (await listRoute(await request(a.users.admin, `/api/contacts?filter=${encodeFilter(definition)}`), routeParams({}))).json();
    expect(count.contacts).toEqual([]);

    const cross = await eraseRoute(await request(a.users.admin, `/api/contacts/${b.contact._id}/erase`, { method: "POST", body: { confirm: "erase" } }), routeParams({ id: b.contact._id.toHexString() }));
    expect(cross.status).toBe(404);
    const crossData = await dataRoute(await request(a.users.admin, `/api/contacts/${b.contact._id}/data`), routeParams({ id: b.contact._id.toHexString() }));
    expect(crossData.status).toBe(404);
  });
});
