import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { updateContact } from "@/lib/contacts/contacts";
import { toMessageResponse } from "@/lib/inbox/responses";
import type { MessageDoc } from "@/lib/schemas/message";
import { deliver, envelope, fixture, orgWithAccount, textMessage, type TestAccount } from "../support/whatsapp-webhook";

const at = (s: number) => new Date(s * 1000);
const firstMessage = (name: string) => (fixture(name) as { entry: { changes: { value: { messages: { id: string }[] } }[] }[] }).entry[0]!.changes[0]!.value.messages[0]!;

async function stored(account: TestAccount, wamid: string) {
  const db = scoped(account.orgId);
  const message = await db("messages").findOne({ waMessageId: wamid });
  const conversation = message ? await db("conversations").findOne({ _id: message.conversationId }) : null;
  const contact = message ? await db("contacts").findOne({ _id: message.contactId }) : null;
  return { message, conversation, contact, count: await db("messages").countDocuments({ waMessageId: wamid }) };
}

/** A message the business sent earlier (what GRAPH's send service stores), for replies, reactions and statuses. */
export async function outbound(account: TestAccount, wamid: string, contactId = new ObjectId(), conversationId = new ObjectId()) {
  const now = new Date();
  const doc: Omit<MessageDoc, "orgId"> = {
    _id: new ObjectId(), conversationId, contactId, accountId: account._id, key: `out:test-${wamid}`, waMessageId: wamid,
    direction: "outbound", sender: "agent", senderUserId: null, type: "text", text: "Our offer", payload: null, media: null, replyTo: null,
    reactions: [], edited: null, revokedAt: null, forwarded: "no", status: "sent", statusHistory: [{ status: "sent", at: now }], error: null,
    pricing: null, waConversation: null, sentAt: now, searchTokens: [], createdAt: now, updatedAt: now,
  };
  await scoped(account.orgId)("messages").insertOne(doc);
  return doc;
}

type Case = { fixture: string; message: Record<string, unknown>; contact?: Record<string, unknown>; conversation?: Record<string, unknown> };

const sheena = { name: "Sheena Nelson", profileName: "Sheena Nelson", phone: "+16505551234", identityKey: "+16505551234", waId: "16505551234" };
const testName = { name: "Test Name", phone: "+972987654321", bsuid: "US.13491208655302741918" };

const corpus: Case[] = [
  {
    fixture: "inbound_text",
    message: { type: "text", text: "Does it come in another color?", direction: "inbound", sender: "customer", sentAt: at(1749416383), forwarded: "no", status: null, media: null, replyTo: null },
    contact: sheena,
    conversation: { status: "open", unreadCount: 1, lastCustomerMessageAt: at(1749416383), lastActivityAt: at(1749416383), lastMessage: { preview: "Does it come in another color?", type: "text", sender: "customer", status: null, at: at(1749416383) }, contact: { name: "Sheena Nelson", phone: "+16505551234", identityKey: "+16505551234" } },
  },
  {
    fixture: "inbound_image",
    // The media-download job (run in-process after the answer) may already have moved `download` on.
    message: { type: "image", text: "Taj Mahal", media: expect.objectContaining({ waMediaId: "1003383421387256", mimeType: "image/jpeg", sha256: "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=", caption: "Taj Mahal", filename: null }) },
  },
  { fixture: "inbound_image_with_url", message: { type: "image", media: expect.objectContaining({ waMediaId: "1003383421387256" }) } },
  {
    fixture: "inbound_audio_voice",
    message: { type: "audio", text: null, media: expect.objectContaining({ waMediaId: "1908647269898587", mimeType: "audio/ogg; codecs=opus", voice: true }) },
    conversation: { lastMessage: expect.objectContaining({ preview: "Voice message", type: "audio" }) },
  },
  { fixture: "inbound_audio_file_forwarded", message: { type: "audio", forwarded: "forwarded", media: expect.objectContaining({ voice: false }) }, contact: testName },
  { fixture: "inbound_video", message: { type: "video", text: "Timelapse of growth", media: expect.objectContaining({ waMediaId: "731675419373506", mimeType: "video/mp4" }) } },
  {
    fixture: "inbound_document",
    message: { type: "document", text: "my receipt", media: expect.objectContaining({ filename: "receipt.pdf", mimeType: "application/pdf", caption: "my receipt" }) },
  },
  { fixture: "inbound_sticker_animated", message: { type: "sticker", media: expect.objectContaining({ mimeType: "image/webp", animated: true }) }, conversation: { lastMessage: expect.objectContaining({ preview: "Sticker" }) } },
  { fixture: "inbound_sticker_static", message: { type: "sticker", media: expect.objectContaining({ animated: false }) } },
  {
    fixture: "inbound_location",
    message: { type: "location", text: "Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301", payload: { location: { address: "101 Forest Ave, Palo Alto, CA 94301", latitude: 37.44221496582, longitude: -122.16165924072, name: "Philz Coffee", url: "https://philzcoffee.com/" } } },
  },
  { fixture: "inbound_location_pin_only", message: { type: "location", text: "12.25089, 43.90539", forwarded: "forwarded" } },
  {
    fixture: "inbound_contacts",
    message: { type: "contacts", text: "Lucía Gómez", payload: { contacts: [expect.objectContaining({ phones: [{ phone: "+1 (983) 555-2319", wa_id: "19835552319", type: "MOBILE" }] })] } },
  },
  { fixture: "inbound_contacts_multiple", message: { type: "contacts", text: "Chandler Bing, Monica, Rachel Green" } },
  {
    fixture: "inbound_interactive_button_reply",
    message: { type: "interactive", text: "Cancel", payload: { interactive: { type: "button_reply", button_reply: { id: "cancel-button", title: "Cancel" } } }, replyTo: { waMessageId: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA", messageId: null } },
  },
  { fixture: "inbound_interactive_list_reply", message: { type: "interactive", text: "Priority Mail Express", payload: { interactive: expect.objectContaining({ list_reply: expect.objectContaining({ id: "priority_express" }) }) } } },
  { fixture: "inbound_interactive_nfm_reply_flow", message: { type: "interactive", text: "Sent", payload: { interactive: expect.objectContaining({ type: "nfm_reply" }) } } },
  {
    fixture: "inbound_interactive_missing_payload_with_value_errors_131000",
    message: { type: "interactive", text: null, payload: null, error: { code: 131000, title: "Something went wrong", message: "Something went wrong", details: "Unsupported webhook payload" } },
  },
  { fixture: "inbound_button_template_quick_reply", message: { type: "button", text: "Unsubscribe", payload: { button: { payload: "Unsubscribe", text: "Unsubscribe" } } } },
  { fixture: "inbound_order", message: { type: "order", text: "Order: 2 items", payload: { order: expect.objectContaining({ catalog_id: "194836987003835", product_items: expect.any(Array) }) } } },
  {
    fixture: "inbound_system_customer_identity_changed",
    message: { type: "system", sender: "system", text: "User identity changed", payload: { system: { body: "User identity changed", type: "customer_identity_changed" }, identity: { acknowledged: true, created_timestamp: "1697044706", hash: "xyzxyz" } } },
    conversation: { unreadCount: 0, lastCustomerMessageAt: null },
  },
  {
    fixture: "inbound_system_user_changed_number",
    message: { type: "system", sender: "system", text: "User Sheena Nelson changed from 16505551234 to 12195555358" },
    contact: { phone: "+12195555358", identityKey: "+12195555358", waId: "12195555358" },
  },
  {
    fixture: "inbound_text_bsuid_username_no_phone",
    message: { type: "text", text: "Does it come in another color?" },
    contact: { identityKey: "bsuid:US.13491208655302741918", phone: null, waId: null, bsuid: "US.13491208655302741918", username: "@realsheenanelson", name: "Sheena Nelson" },
  },
  {
    fixture: "inbound_text_ctwa_ad_referral",
    message: { type: "text", text: "Hello! Can I get more info on this?", payload: { referral: expect.objectContaining({ source_id: "120226305854810726", source_type: "ad", ctwa_clid: expect.any(String) }) } },
    contact: { source: { kind: "ctwa_ad", referral: expect.objectContaining({ source_id: "120226305854810726" }), at: at(1750275992) } },
    conversation: { source: { kind: "ctwa_ad", referral: expect.objectContaining({ headline: "Chat with us" }) } },
  },
  { fixture: "inbound_text_forwarded", message: { text: "forwarded text", forwarded: "forwarded" } },
  { fixture: "inbound_text_frequently_forwarded", message: { text: "text forwarded many times", forwarded: "frequently" } },
  {
    fixture: "inbound_text_product_inquiry_context",
    message: { text: "Is this still available?", payload: { referredProduct: { catalog_id: "194836987003835", product_retailer_id: "di9ozbzfi4" } }, replyTo: { waMessageId: "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA", messageId: null } },
  },
  { fixture: "inbound_text_reply_context", message: { text: "replied text", replyTo: { waMessageId: "wamid.xyzxyz==", messageId: null } } },
  {
    fixture: "inbound_unknown_legacy_131051",
    message: { type: "unsupported", text: null, payload: { originalType: "unknown" }, error: { code: 131051, title: "Unsupported message type", message: null, details: "Message type is not currently supported" } },
    conversation: { unreadCount: 1, lastMessage: expect.objectContaining({ preview: "Unsupported message" }) },
  },
  { fixture: "inbound_unsupported_131051", message: { type: "unsupported", error: { code: 131051, title: "Message type unknown", message: "Message type unknown", details: "Message type is currently not supported." } } },
  { fixture: "inbound_unsupported_edit", message: { type: "unsupported", payload: { unsupported: { type: "edit" } }, error: expect.objectContaining({ code: 131051 }) } },
  { fixture: "inbound_unsupported_poll", message: { type: "unsupported", payload: { unsupported: { type: "pool" } } } },
];

describe("inbound message corpus (Meta's documented payloads)", () => {
  it.each(corpus)("$fixture is stored once, as the inbox and AI read it", async (c) => {
    const { account } = await orgWithAccount();
    const wamid = firstMessage(c.fixture).id;
    expect(await deliver(c.fixture, account)).toEqual({ received: true, outcome: "processed" });
    await deliver(c.fixture, account);
    const { message, conversation, contact, count } = await stored(account, wamid);
    expect(count).toBe(1);
    expect(message).toMatchObject({ key: `wa:${wamid}`, waMessageId: wamid, direction: "inbound", accountId: account._id, ...c.message });
    expect(conversation).toMatchObject({ accountId: account._id, contactId: contact!._id, liveKey: `${contact!._id.toHexString()}:${account._id.toHexString()}`, ...(c.conversation ?? {}) });
    if (c.contact) expect(contact).toMatchObject(c.contact);
  });

  it("keeps a message whose sender cannot be identified as unprocessed with the reason", async () => {
    const { account, orgId } = await orgWithAccount();
    expect(await deliver("inbound_contacts_real_redacted", account)).toEqual({ received: true, outcome: "unprocessed" });
    const event = await rawCollection("webhook_events").findOne({ orgId });
    expect(event?.reason).toBe('message wamid.HBg...: sender "REDACTED" is neither a phone number nor a WhatsApp user id');
    expect(await scoped(orgId)("messages").countDocuments()).toBe(0);
  });
});

describe("threads, contacts and conversations", () => {
  it("links a reply to the quoted message it names", async () => {
    const { account } = await orgWithAccount();
    const quoted = await outbound(account, "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA");
    await deliver("inbound_interactive_button_reply", account);
    const { message } = await stored(account, firstMessage("inbound_interactive_button_reply").id);
    expect(message?.replyTo).toEqual({ waMessageId: quoted.waMessageId, messageId: quoted._id });
  });

  it("fills an empty contact name from the WhatsApp profile but never overwrites a name an agent set", async () => {
    const { account, orgId } = await orgWithAccount();
    const db = scoped(orgId);
    await deliver(envelope(account, { ...textMessage("16505550001", "wamid.NONAME1", "hi"), contacts: [{ wa_id: "16505550001" }] }), account);
    expect(await db("contacts").findOne({ identityKey: "+16505550001" })).toMatchObject({ name: null, profileName: null });
    await deliver(envelope(account, textMessage("16505550001", "wamid.NONAME2", "hello", undefined, "Ana Profile")), account);
    expect(await db("contacts").findOne({ identityKey: "+16505550001" })).toMatchObject({ name: "Ana Profile", profileName: "Ana Profile" });
    const contact = (await db("contacts").findOne({ identityKey: "+16505550001" }))!;
    await updateContact(orgId, { id: null, name: "Test agent" }, contact._id, { name: "Ana (VIP)" });
    await deliver(envelope(account, textMessage("16505550001", "wamid.NONAME3", "again", undefined, "Ana New")), account);
    expect(await db("contacts").findOne({ identityKey: "+16505550001" })).toMatchObject({ name: "Ana (VIP)", profileName: "Ana New" });
    const conversation = await db("conversations").findOne({});
    expect(conversation).toMatchObject({ unreadCount: 3, contact: { name: "Ana (VIP)", phone: "+16505550001" } });
  });

  it("treats a BSUID-only customer as a first-class contact and attaches the BSUID to a contact known by phone", async () => {
    const { account, orgId } = await orgWithAccount();
    const db = scoped(orgId);
    await deliver("inbound_text_bsuid_username_no_phone", account);
    expect(await db("contacts").countDocuments({ identityKey: "bsuid:US.13491208655302741918" })).toBe(1);

    await deliver(envelope(account, textMessage("16505550002", "wamid.PHONE1", "first, by phone")), account);
    await deliver(envelope(account, {
      contacts: [{ profile: { name: "Phone Person" }, wa_id: "16505550002", user_id: "US.555" }],
      messages: [{ from: "16505550002", id: "wamid.PHONE2", timestamp: "1750000100", type: "text", text: { body: "now with a user id" } }],
    }), account);
    expect(await db("contacts").findOne({ identityKey: "+16505550002" })).toMatchObject({ bsuid: "US.555", phone: "+16505550002" });
    await deliver(envelope(account, {
      contacts: [{ profile: { name: "Phone Person", username: "@phoneperson" }, user_id: "US.555" }],
      messages: [{ from_user_id: "US.555", id: "wamid.PHONE3", timestamp: "1750000200", type: "text", text: { body: "username only now" } }],
    }), account);
    const contacts = await db("contacts").find({ $or: [{ bsuid: "US.555" }, { identityKey: "+16505550002" }] }).toArray();
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ username: "@phoneperson" });
    expect(await db("messages").countDocuments({ contactId: contacts[0]!._id })).toBe(3);
    expect(await db("conversations").countDocuments({ contactId: contacts[0]!._id })).toBe(1);
  });

  it("reopens a resolved or snoozed conversation (assigned when it has an assignee) and starts a new one after closing", async () => {
    const { account, orgId, users } = await orgWithAccount();
    const db = scoped(orgId);
    await deliver(envelope(account, textMessage("16505550003", "wamid.REOPEN1", "hello")), account);
    const first = (await db("conversations").findOne({}))!;
    await db("conversations").updateOne({ _id: first._id }, { $set: { status: "resolved", unreadCount: 0 } });
    await deliver(envelope(account, textMessage("16505550003", "wamid.REOPEN2", "one more thing")), account);
    expect(await db("conversations").findOne({ _id: first._id })).toMatchObject({ status: "open", unreadCount: 1 });

    await db("conversations").updateOne({ _id: first._id }, { $set: { status: "snoozed", snoozedUntil: new Date(Date.now() + 3600_000), assigneeId: users.agent._id } });
    await deliver(envelope(account, textMessage("16505550003", "wamid.REOPEN3", "are you there?")), account);
    expect(await db("conversations").findOne({ _id: first._id })).toMatchObject({ status: "assigned", snoozedUntil: null, assigneeId: users.agent._id, unreadCount: 2 });

    await db("conversations").updateOne({ _id: first._id }, { $set: { status: "closed", liveKey: `closed:${first._id.toHexString()}` } });
    await deliver(envelope(account, textMessage("16505550003", "wamid.REOPEN4", "new question")), account);
    const conversations = await db("conversations").find({}, { sort: { createdAt: 1 } }).toArray();
    expect(conversations.map((c) => c.status)).toEqual(["closed", "open"]);
    expect((await db("messages").findOne({ waMessageId: "wamid.REOPEN4" }))?.conversationId).toEqual(conversations[1]!._id);
    // The next message goes straight to the new conversation (the instance's remembered hint moved with it).
    await deliver(envelope(account, textMessage("16505550003", "wamid.REOPEN5", "and another")), account);
    expect(await db("conversations").countDocuments({})).toBe(2);
    expect((await db("messages").findOne({ waMessageId: "wamid.REOPEN5" }))?.conversationId).toEqual(conversations[1]!._id);
    expect(await db("conversations").findOne({ _id: conversations[1]!._id })).toMatchObject({ unreadCount: 2, lastMessage: expect.objectContaining({ preview: "and another" }) });
  });

  it("counts every message of a new customer's burst once when the deliveries run at the same time", async () => {
    const { account, orgId } = await orgWithAccount();
    const db = scoped(orgId);
    const t = 1750000000;
    const burst = Array.from({ length: 20 }, (_, i) => envelope(account, textMessage("16505550012", `wamid.BURST${i}`, `part ${i}`, t + i)));
    // Shuffled, each delivered twice (Meta's retries), all at once.
    const order = [...burst, ...burst].map((b, i) => ({ b, k: (i * 7919) % 40 })).sort((x, y) => x.k - y.k).map((x) => x.b);
    expect((await Promise.all(order.map((b) => deliver(b, account)))).every((r) => r.outcome === "processed")).toBe(true);
    expect(await db("contacts").countDocuments({})).toBe(1);
    const conversations = await db("conversations").find({}).toArray();
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toMatchObject({ unreadCount: 20, lastActivityAt: at(t + 19), lastCustomerMessageAt: at(t + 19), lastMessage: expect.objectContaining({ preview: "part 19" }) });
    expect(await db("messages").countDocuments({ conversationId: conversations[0]!._id })).toBe(20);
  });

  it("handles a batch across contacts in any order: previews and window times only move forward", async () => {
    const { account, orgId } = await orgWithAccount();
    const db = scoped(orgId);
    const t = 1750000000;
    await deliver(envelope(account, {
      contacts: [{ profile: { name: "A" }, wa_id: "16505550010" }, { profile: { name: "B" }, wa_id: "16505550011" }],
      messages: [
        { from: "16505550010", id: "wamid.B1", timestamp: String(t + 60), type: "text", text: { body: "newest from A" } },
        { from: "16505550011", id: "wamid.B2", timestamp: String(t), type: "text", text: { body: "from B" } },
        { from: "16505550010", id: "wamid.B3", timestamp: String(t), type: "text", text: { body: "older from A" } },
      ],
    }), account);
    await deliver(envelope(account, { ...textMessage("16505550010", "wamid.B4", "late and oldest", t - 600, "A") }), account);
    const a = (await db("conversations").findOne({ "contact.phone": "+16505550010" }))!;
    expect(a).toMatchObject({ unreadCount: 3, lastCustomerMessageAt: at(t + 60), lastActivityAt: at(t + 60), lastMessage: expect.objectContaining({ preview: "newest from A" }) });
    expect(await db("conversations").findOne({ "contact.phone": "+16505550011" })).toMatchObject({ unreadCount: 1 });
    expect(await db("messages").countDocuments({})).toBe(4);
  });
});

describe("edits, revokes and reactions", () => {
  const original = "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=";

  it("keeps the original of an edited message and shows the edit", async () => {
    const { account } = await orgWithAccount();
    await deliver(envelope(account, textMessage("16505551234", original, "Original caption")), account);
    await deliver("inbound_edit", account);
    await deliver("inbound_edit", account);
    const { message, count } = await stored(account, original);
    expect(message).toMatchObject({ text: "Original caption", edited: { text: "Updated image caption", at: at(1749854575) } });
    expect(count).toBe(1);
    expect(await scoped(account.orgId)("messages").countDocuments()).toBe(1);
  });

  it("keeps a revoked message and marks it deleted", async () => {
    const { account } = await orgWithAccount();
    await deliver(envelope(account, textMessage("16505551234", original, "Oops")), account);
    await deliver("inbound_revoke", account);
    expect((await stored(account, original)).message).toMatchObject({ text: "Oops", revokedAt: at(1749854575) });
  });

  const shownReactions = async (account: TestAccount, id: ObjectId) => toMessageResponse((await scoped(account.orgId)("messages").findOne({ _id: id }))!).reactions;
  const reaction = (account: TestAccount, target: string, emoji: string | undefined, id: string, t: number) =>
    envelope(account, { contacts: [{ profile: { name: "S" }, wa_id: "16505551234" }], messages: [{ from: "16505551234", id, timestamp: String(t), type: "reaction", reaction: { message_id: target, ...(emoji === undefined ? {} : { emoji }) } }] });

  it("attaches a reaction to its target, replaces it, and removes it on an empty emoji", async () => {
    const { account } = await orgWithAccount();
    const target = await outbound(account, "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA");
    await deliver("inbound_reaction", account);
    await deliver("inbound_reaction", account);
    const db = scoped(account.orgId);
    expect((await db("messages").findOne({ _id: target._id }))?.reactions).toEqual([{ emoji: "👍", by: "customer", at: at(1749419544) }]);
    const react = (emoji: string | undefined, id: string, t: number) => reaction(account, target.waMessageId!, emoji, id, t);
    await deliver(react("❤️", "wamid.R2", 1749419600), account);
    expect(await shownReactions(account, target._id)).toEqual([{ emoji: "❤️", by: "customer" }]);
    await deliver(react("", "wamid.R3", 1749419601), account);
    expect(await shownReactions(account, target._id)).toEqual([]);
    await deliver(react("🎉", "wamid.R4", 1749419602), account);
    expect(await shownReactions(account, target._id)).toEqual([{ emoji: "🎉", by: "customer" }]);
    await deliver(react(undefined, "wamid.R5", 1749419603), account);
    expect(await shownReactions(account, target._id)).toEqual([]);
    expect(await db("messages").countDocuments({ type: "reaction" })).toBe(0);
  });

  it("keeps the customer's newest reaction whatever order deliveries arrive or run in", async () => {
    const { account } = await orgWithAccount();
    const target = await outbound(account, "wamid.REACTED");
    const react = (emoji: string, n: number) => reaction(account, target.waMessageId!, emoji, `wamid.REACT${n}`, 1750000000 + n);
    // Meta delivers the newer reaction first; the older one arrives late.
    await deliver(react("❤️", 10), account);
    await deliver(react("👍", 5), account);
    expect(await shownReactions(account, target._id)).toEqual([{ emoji: "❤️", by: "customer" }]);
    // Several at once, in shuffled order: the newest (n = 40, 😢) wins.
    const emojis = ["😀", "😮", "😢", "🙏", "🔥", "👏"];
    await Promise.all([35, 20, 40, 15, 30, 25].map((n, i) => deliver(react(emojis[i]!, n), account)));
    expect(await shownReactions(account, target._id)).toEqual([{ emoji: "😢", by: "customer" }]);
    // A removal wins over an older reaction delivered after it.
    await deliver(react("", 50), account);
    await deliver(react("🎉", 45), account);
    expect(await shownReactions(account, target._id)).toEqual([]);
    expect((await scoped(account.orgId)("messages").findOne({ _id: target._id }))?.reactions).toEqual([{ emoji: "", by: "customer", at: at(1750000050) }]);
  });

  it.each(["inbound_reaction_removed", "inbound_reaction_removed_empty_emoji"])("%s removes the customer's reaction", async (name) => {
    const { account } = await orgWithAccount();
    const wamid = (firstMessage(name) as unknown as { reaction: { message_id: string } }).reaction.message_id;
    const target = await outbound(account, wamid);
    await scoped(account.orgId)("messages").updateOne({ _id: target._id }, { $set: { reactions: [{ emoji: "👍", by: "customer", at: at(1690000000) }] } });
    await deliver(name, account);
    expect(await shownReactions(account, target._id)).toEqual([]);
  });

  it("records a reaction to a message it never stored as a note, not an error", async () => {
    const { account, orgId } = await orgWithAccount();
    expect(await deliver("inbound_reaction", account)).toEqual({ received: true, outcome: "processed" });
    const event = await rawCollection("webhook_events").findOne({ orgId });
    expect(event?.reason).toBe("reaction wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=: target wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA is not stored");
  });
});

describe("consent keywords", () => {
  it("opts the contact out on STOP, records the change, confirms once, and opts back in on START", async () => {
    const { account, orgId } = await orgWithAccount();
    const db = scoped(orgId);
    const stop = envelope(account, textMessage("16505550020", "wamid.STOP1", " stop! "));
    await deliver(stop, account);
    await deliver(stop, account);
    const contact = (await db("contacts").findOne({ identityKey: "+16505550020" }))!;
    expect(contact.consent).toMatchObject({ state: "opted_out", marketing: false, source: "keyword" });
    const events = await db("consent_events").find({ contactId: contact._id }).toArray();
    expect(events).toEqual([expect.objectContaining({ state: "opted_out", channel: "all", source: "keyword", detail: '"stop!" in message wamid.STOP1' })]);
    // The confirmation goes through the send service with an idempotency key derived from the wamid.
    await expect.poll(() => db("messages").countDocuments({ key: "out:consent:wamid.STOP1" }), { timeout: 10_000 }).toBe(1);
    expect((await db("messages").findOne({ key: "out:consent:wamid.STOP1" }))).toMatchObject({ direction: "outbound", sender: "system", text: expect.stringContaining("unsubscribed") });

    await deliver(envelope(account, textMessage("16505550020", "wamid.START1", "START")), account);
    expect((await db("contacts").findOne({ _id: contact._id }))?.consent).toMatchObject({ state: "opted_in", marketing: true, source: "keyword" });
    expect(await db("consent_events").countDocuments({ contactId: contact._id })).toBe(2);
  });

  it("understands the Spanish defaults and the organization's own keywords, and ignores longer texts", async () => {
    const { account, orgId } = await orgWithAccount();
    const db = scoped(orgId);
    await db("settings").updateOne({}, { $set: { optOutKeywords: ["STOP", "BAJA", "PARAR YA"] } });
    await deliver(envelope(account, textMessage("16505550021", "wamid.ES1", "Baja")), account);
    expect((await db("contacts").findOne({ identityKey: "+16505550021" }))?.consent.state).toBe("opted_out");
    await deliver(envelope(account, textMessage("16505550022", "wamid.ES2", "parar ya")), account);
    expect((await db("contacts").findOne({ identityKey: "+16505550022" }))?.consent.state).toBe("opted_out");
    await deliver(envelope(account, textMessage("16505550023", "wamid.ES3", "please don't stop sending me offers")), account);
    expect((await db("contacts").findOne({ identityKey: "+16505550023" }))?.consent.state).toBe("unknown");
  });
});
