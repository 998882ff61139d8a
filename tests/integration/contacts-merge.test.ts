import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { GET as duplicatesRoute } from "@/app/api/contacts/duplicates/route";
import { POST as mergeRoute } from "@/app/api/contacts/merge/route";
import { POST as undoRoute } from "@/app/api/contacts/merges/[id]/undo/route";
import { scoped } from "@/lib/db/scoped";
import { recordConsent } from "@/lib/webhook/consent";
import { request, routeParams } from "../support/factories";
import { envelope, orgWithAccount, postWebhook, textMessage } from "../support/whatsapp-webhook";

type Org = Awaited<ReturnType<typeof orgWithAccount>>;
let seq = 0;

/** A phone customer who wrote through the webhook. */
async function phoneCustomer(org: Org, phone: string, name: string) {
  const res = await postWebhook(envelope(org.account, textMessage(phone, `wamid.merge-${++seq}`, `hello from ${name}`, Math.floor(Date.now() / 1000), name)));
  expect(res.status).toBe(200);
  return (await scoped(org.orgId)("contacts").findOne({ phone: `+${phone}` }))!;
}

/** A WhatsApp username user (no phone shared) who wrote through the webhook. */
async function usernameCustomer(org: Org, userId: string, name: string) {
  const body = envelope(org.account, {
    contacts: [{ profile: { name }, user_id: userId }],
    messages: [{ from_user_id: userId, id: `wamid.merge-${++seq}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: `hi, ${name} here` } }],
  });
  const res = await postWebhook(body);
  expect(res.status).toBe(200);
  return (await scoped(org.orgId)("contacts").findOne({ bsuid: userId }))!;
}

async function merge(org: Org, body: unknown) {
  const res = await mergeRoute(await request(org.users.supervisor, "/api/contacts/merge", { method: "POST", body }), routeParams({}));
  return { status: res.status, body: await res.json() };
}

async function undo(org: Org, id: string) {
  const res = await undoRoute(await request(org.users.supervisor, `/api/contacts/merges/${id}/undo`, { method: "POST" }), routeParams({ id }));
  return { status: res.status, body: await res.json() };
}

describe("duplicates and merge", () => {
  it("suggests the same person by email and by name and company", async () => {
    const org = await orgWithAccount();
    const a = await phoneCustomer(org, "4917600000001", "Lena Vogel");
    const b = await phoneCustomer(org, "4917600000002", "lena vogel");
    const c = await phoneCustomer(org, "4917600000003", "Someone Else");
    const db = scoped(org.orgId);
    await db("contacts").updateOne({ _id: a._id }, { $set: { email: "lena@vogel.example", company: "Vogel GmbH" } });
    await db("contacts").updateOne({ _id: b._id }, { $set: { company: "vogel gmbh" } });
    await db("contacts").updateOne({ _id: c._id }, { $set: { email: "lena@vogel.example" } });
    const { groups } = await (await duplicatesRoute(await request(org.users.viewer, "/api/contacts/duplicates"), routeParams({}))).json();
    const summary = groups.map((g: { reason: string; contacts: { id: string }[] }) => [g.reason, g.contacts.map((x) => x.id).sort()]);
    expect(summary).toEqual(
      expect.arrayContaining([
        ["same email", [a._id.toHexString(), c._id.toHexString()].sort()],
        ["same name and company", [a._id.toHexString(), b._id.toHexString()].sort()],
      ]),
    );
    const other = await orgWithAccount();
    expect((await (await duplicatesRoute(await request(other.users.admin, "/api/contacts/duplicates"), routeParams({}))).json()).groups).toEqual([]);
  });

  it("moves everything to the survivor with the chosen fields, closes the second live conversation on the same number, and undo puts it all back", async () => {
    const org = await orgWithAccount();
    const db = scoped(org.orgId);
    const survivor = await phoneCustomer(org, "4917600000011", "Jonas Berg");
    const merged = await usernameCustomer(org, "DE.1111222233334444", "Jo B.");
    await db("contacts").updateOne({ _id: survivor._id }, { $set: { tags: ["vip"], email: "jonas@berg.example" } });
    await db("contacts").updateOne({ _id: merged._id }, { $set: { tags: ["lead"], company: "Berg AG", customFields: { plan: "pro" } } });
    await recordConsent(org.orgId, merged._id, { eventId: new ObjectId(), state: "opted_in", channel: "marketing", source: "agent", detail: "asked for offers", at: new Date() });
    const survivorConversation = (await db("conversations").findOne({ contactId: survivor._id }))!;
    const mergedConversation = (await db("conversations").findOne({ contactId: merged._id }))!;

    const done = await merge(org, { survivorId: survivor._id.toHexString(), mergedId: merged._id.toHexString(), keep: { name: "merged" } });
    expect(done.status).toBe(200);
    const after = (await db("contacts").findOne({ _id: survivor._id }))!;
    expect(after).toMatchObject({ name: "Jo B.", email: "jonas@berg.example", company: "Berg AG", phone: "+4917600000011", bsuid: "DE.1111222233334444", customFields: { plan: "pro" } });
    expect(after.tags.sort()).toEqual(["lead", "vip"]);
    expect(await db("contacts").countDocuments({ _id: merged._id })).toBe(0);
    expect(await db("conversations").countDocuments({ contactId: survivor._id })).toBe(2);
    expect(await db("conversations").findOne({ _id: mergedConversation._id })).toMatchObject({ status: "closed", contact: { name: "Jo B." } });
    expect(await db("conversations").findOne({ _id: survivorConversation._id })).toMatchObject({ status: survivorConversation.status, contact: { name: "Jo B." } });
    expect(await db("messages").countDocuments({ contactId: survivor._id })).toBe(2);
    expect(await db("consent_events").countDocuments({ contactId: survivor._id })).toBe(1);
    expect(await db("activity_logs").findOne({ action: "contact.merged" })).toMatchObject({ entityId: survivor._id });

    // The username contact's next message reaches the survivor's live conversation.
    const next = envelope(org.account, {
      contacts: [{ profile: { name: "Jo B." }, user_id: "DE.1111222233334444", wa_id: "4917600000011" }],
      messages: [{ from: "4917600000011", from_user_id: "DE.1111222233334444", id: "wamid.merge-after", timestamp: String(Math.floor(Date.now() / 1000) + 5), type: "text", text: { body: "me again" } }],
    });
    expect((await postWebhook(next)).status).toBe(200);
    expect(await db("messages").findOne({ waMessageId: "wamid.merge-after" })).toMatchObject({ contactId: survivor._id, conversationId: survivorConversation._id });

    const undone = await undo(org, done.body.merge.id);
    expect(undone.status).toBe(200);
    const back = (await db("contacts").findOne({ _id: merged._id }))!;
    expect(back).toMatchObject({ name: "Jo B.", bsuid: "DE.1111222233334444", tags: ["lead"], company: "Berg AG" });
    expect(await db("contacts").findOne({ _id: survivor._id })).toMatchObject({ name: "Jonas Berg", bsuid: null, tags: ["vip"], company: null });
    expect(await db("conversations").findOne({ _id: mergedConversation._id })).toMatchObject({ contactId: merged._id, status: mergedConversation.status, liveKey: mergedConversation.liveKey, contact: { name: "Jo B." } });
    expect(await db("conversations").findOne({ _id: survivorConversation._id })).toMatchObject({ contactId: survivor._id, contact: { name: "Jonas Berg" } });
    expect(await db("messages").countDocuments({ contactId: merged._id })).toBe(1);
    expect(await db("consent_events").countDocuments({ contactId: merged._id })).toBe(1);

    expect(await undo(org, done.body.merge.id)).toEqual({ status: 409, body: { error: { code: "conflict", message: "This merge was already undone" } } });
  });

  it("lets a username-only survivor take the merged contact's phone, and refuses what it cannot merge", async () => {
    const org = await orgWithAccount();
    const phone = await phoneCustomer(org, "4917600000021", "Mia Phone");
    const username = await usernameCustomer(org, "DE.5555666677778888", "mia_user");
    const done = await merge(org, { survivorId: username._id.toHexString(), mergedId: phone._id.toHexString() });
    expect(done.status).toBe(200);
    expect(await scoped(org.orgId)("contacts").findOne({ _id: username._id })).toMatchObject({ identityKey: "+4917600000021", phone: "+4917600000021", name: "mia_user" });
    // The phone's next message finds the survivor by its new identity.
    expect((await postWebhook(envelope(org.account, textMessage("4917600000021", "wamid.merge-phone-next", "again", Math.floor(Date.now() / 1000) + 5, "Mia Phone")))).status).toBe(200);
    expect(await scoped(org.orgId)("messages").findOne({ waMessageId: "wamid.merge-phone-next" })).toMatchObject({ contactId: username._id });

    expect((await merge(org, { survivorId: username._id.toHexString(), mergedId: username._id.toHexString() })).body.error.message).toBe("A contact cannot be merged into itself");
    expect((await merge(org, { survivorId: username._id.toHexString(), mergedId: phone._id.toHexString() })).body).toEqual({ error: { code: "not_found", message: "The merged contact was not found" } });
    const other = await orgWithAccount();
    const theirs = await phoneCustomer(other, "4917600000022", "Other Org");
    expect((await merge(org, { survivorId: username._id.toHexString(), mergedId: theirs._id.toHexString() })).status).toBe(404);
    expect((await undo(other, done.body.merge.id)).status).toBe(404);
    expect(await scoped(other.orgId)("contacts").countDocuments({ _id: theirs._id })).toBe(1);
  });
});
