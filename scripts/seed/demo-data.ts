/**
 * Demo data for a newcomer: one organization, a team of every role, ~30 contacts with tags, and
 * conversations holding every message type and every delivery status, a few tickets and saved replies.
 */
import { ObjectId } from "mongodb";
import { ensureDefaultOrganization } from "@/lib/setup/default-organization";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { markDemoData } from "@/lib/setup/demo-sign-in";
import { createUser } from "@/lib/team/users";
import { scoreOrganization } from "@/lib/scoring/nightly-job";
import { createTicket, updateTicket } from "@/lib/tickets/tickets";
import type { ContactDoc } from "@/lib/schemas/contact";
import { journeyStages, type JourneyMove, type JourneyStage } from "@/lib/schemas/journey";
import type { ConversationDoc } from "@/lib/schemas/conversation";
import type { DeliveryStatus, MessageDoc } from "@/lib/schemas/message";
import type { Role } from "@/lib/schemas/common";
import { searchTokens } from "@/lib/search/tokens";
import { seedKnowledge } from "./demo-knowledge";
import { seedCannedResponses } from "./demo-canned-responses";
import { seedJobRuns } from "./demo-job-runs";

export const DEMO_PASSWORD = "demo-password-1";
export const demoUsers: { email: string; name: string; role: Role }[] = [
  { email: "admin@example.com", name: "Ada Admin", role: "admin" },
  { email: "supervisor@example.com", name: "Sam Supervisor", role: "supervisor" },
  { email: "marketer@example.com", name: "Mia Marketer", role: "marketer" },
  { email: "agent1@example.com", name: "Alex Agent", role: "agent" },
  { email: "agent2@example.com", name: "Bea Agent", role: "agent" },
  { email: "viewer@example.com", name: "Vic Viewer", role: "viewer" },
];
export const DEMO_PHONE_NUMBER_ID = "106540352242922";

const firstNames = ["Maria", "John", "Aisha", "Wei", "Carlos", "Fatima", "Liam", "Sofia", "Kenji", "Amara", "Lucas", "Priya", "Omar", "Elena", "Noah", "Zara", "Mateo", "Chloe", "Ravi", "Ines", "Jonas", "Lea", "Tariq", "Nora", "Diego", "Yuki", "Hana", "Ivan", "Mia", "Pedro"];
const lastNames = ["Garcia", "Smith", "Khan", "Chen", "Lopez", "Ali", "Brown", "Rossi", "Tanaka", "Okafor"];
const companies = ["Acme Corp", "Globex", "Initech", null, "Umbrella", null, "Stark Industries", "Wayne Enterprises"];
const tagPool = ["vip", "lead", "customer", "support", "billing", "newsletter", "wholesale", "returning"];

function pick<T>(arr: readonly T[], i: number): T {
  return arr[i % arr.length]!;
}

export async function isEmpty(): Promise<boolean> {
  return (await rawCollection("users").countDocuments({}, { limit: 1 })) === 0;
}

export async function seedDemoData(now = new Date()) {
  const orgId = await ensureDefaultOrganization();
  const db = scoped(orgId);
  const accounts = rawCollection("whatsapp_accounts");
  let account = await accounts.findOne({ orgId });
  if (!account) {
    await accounts.insertOne({
      _id: new ObjectId(), orgId, phoneNumberId: DEMO_PHONE_NUMBER_ID, wabaId: "102290129340398", displayPhoneNumber: "+1 555 0100",
      verifiedName: "Demo Company", accessToken: null, qualityRating: "GREEN", messagingLimit: "TIER_250", throughputMps: 80,
      status: "connected", events: [], tokenError: null, createdAt: now, updatedAt: now,
    });
    account = await accounts.findOne({ orgId });
  }
  const accountId = account!._id;

  const users = [];
  for (const u of demoUsers) users.push(await createUser(orgId, { ...u, password: DEMO_PASSWORD, createdBy: null }));
  const agents = users.filter((u) => u.role === "agent");
  await db("users").updateMany({ role: { $in: ["agent", "supervisor"] } }, { $set: { availability: "online" } });

  const contacts: ContactDoc[] = [];
  for (let i = 0; i < 30; i++) {
    const name = `${pick(firstNames, i)} ${pick(lastNames, i * 3)}`;
    const phone = `+1415555${String(1000 + i).padStart(4, "0")}`;
    const created = new Date(now.getTime() - (40 - i) * 86400_000);
    const company = pick(companies, i);
    contacts.push({
      _id: new ObjectId(), orgId, identityKey: phone, phone, waId: phone.slice(1), bsuid: null, username: null,
      name, profileName: name.split(" ")[0]!, email: i % 3 === 0 ? `${name.split(" ")[0]!.toLowerCase()}@example.org` : null,
      company, tags: [pick(tagPool, i), ...(i % 4 === 0 ? [pick(tagPool, i + 3)] : [])], customFields: i % 5 === 0 ? { plan: "pro" } : {},
      consent: { state: i === 7 ? "opted_out" : "opted_in", marketing: i !== 7, changedAt: created, source: "import" },
      source: i === 2 ? { kind: "ctwa_ad", referral: { source_type: "ad", source_id: "120208573800490", headline: "Spring sale" }, at: created } : { kind: "whatsapp", referral: null, at: created },
      lastInboundAt: null, searchTokens: searchTokens(name, phone, company), createdAt: created, updatedAt: created,
    });
  }
  await db("contacts").insertMany(contacts.map(({ orgId: _o, ...c }) => c));

  const conversations: Omit<ConversationDoc, "orgId">[] = [];
  const messages: Omit<MessageDoc, "orgId">[] = [];
  const statuses: ConversationDoc["status"][] = ["open", "assigned", "ai_handled", "waiting", "resolved", "open", "assigned", "snoozed"];
  contacts.slice(0, 24).forEach((c, i) => {
    const convId = new ObjectId();
    const status = pick(statuses, i);
    const base = now.getTime() - (i < 12 ? i * 37 * 60_000 : (i - 10) * 86400_000);
    const thread = demoThread(i);
    let t = base - thread.length * 90_000;
    let lastCustomerAt: Date | null = null;
    let unread = 0;
    for (const m of thread) {
      t += 90_000;
      const at = new Date(t);
      if (m.direction === "inbound") { lastCustomerAt = at; unread = m === thread.at(-1) ? unread + 1 : 0; } else unread = 0;
      const wamid = `wamid.demo${i}x${messages.length}`;
      messages.push({
        _id: new ObjectId(), conversationId: convId, contactId: c._id, accountId,
        key: m.direction === "inbound" ? `wa:${wamid}` : `out:demo-${i}-${messages.length}`, waMessageId: wamid,
        direction: m.direction, sender: m.sender, senderUserId: m.sender === "agent" ? pick(agents, i)._id : null,
        type: m.type, text: m.text ?? null, payload: m.payload ?? null, media: m.media ?? null, replyTo: null,
        reactions: m.reaction ? [{ emoji: m.reaction, by: "customer", at }] : [], edited: null, revokedAt: null, forwarded: "no",
        status: m.direction === "outbound" ? m.status ?? "read" : null,
        statusHistory: m.direction === "outbound" ? [{ status: m.status ?? "read", at }] : [],
        error: m.status === "failed" ? { code: 131026, title: "Message undeliverable", message: "Message undeliverable", details: "Message Undeliverable." } : null,
        pricing: null, waConversation: null, sentAt: at, searchTokens: searchTokens(m.text), createdAt: at, updatedAt: at,
      });
    }
    const last = messages.at(-1)!;
    const assignee = status === "assigned" || status === "waiting" ? pick(agents, i)._id : null;
    conversations.push({
      _id: convId, accountId, contactId: c._id, liveKey: `${c._id.toHexString()}:${accountId.toHexString()}`, status,
      priority: i % 7 === 0 ? "high" : i % 11 === 0 ? "urgent" : "normal", assigneeId: assignee, tags: c.tags.slice(0, 1),
      contact: { name: c.name, phone: c.phone, identityKey: c.identityKey },
      lastMessage: { preview: (last.text ?? `[${last.type}]`).slice(0, 120), type: last.type, sender: last.sender, status: last.status, at: last.sentAt },
      lastActivityAt: last.sentAt, lastCustomerMessageAt: lastCustomerAt, unreadCount: unread, firstResponseAt: null,
      snoozedUntil: status === "snoozed" ? new Date(now.getTime() + 3 * 3600_000) : null, resolvedAt: status === "resolved" ? last.sentAt : null,
      ai: { enabled: true, confidence: status === "ai_handled" ? 0.86 : null, handoverReason: null, consecutiveReplies: 0 },
      source: c.source.kind === "ctwa_ad" ? { kind: "ctwa_ad", referral: c.source.referral } : null,
      searchTokens: searchTokens(c.name, c.phone), createdAt: new Date(base - 3600_000), updatedAt: last.sentAt,
    });
  });
  await db("conversations").insertMany(conversations);
  await db("messages").insertMany(messages);
  await db("contacts").bulkWrite(
    conversations.map((c) => ({
      updateOne: { filter: { _id: c.contactId }, update: { $set: { lastInboundAt: c.lastCustomerMessageAt } } },
    })),
  );
  // ensureDefaultOrganization seeded the AI agents; the knowledge base gives them answers.
  const articles = await seedKnowledge(orgId);
  await seedJobRuns(orgId, now);
  const cannedResponses = await seedCannedResponses(orgId, users.find((u) => u.role === "admin")!._id, now);
  const tickets = await seedTickets(orgId, conversations, users);
  await seedJourneys(orgId, contacts, users.find((u) => u.role === "supervisor")!, now);
  // Scored as the nightly batch would, so the contacts, the inbox panel and the board show scores from the first visit.
  await scoreOrganization(orgId, { budgetMs: 60_000 });
  // The sign-in page shows the demo sign-in while this mark is there (lib/setup/demo-sign-in.ts).
  await markDemoData(orgId, { email: demoUsers[0]!.email, password: DEMO_PASSWORD });
  return { orgId, users: users.length, contacts: contacts.length, conversations: conversations.length, messages: messages.length, articles, cannedResponses, tickets };
}

/** A few tickets opened from the demo conversations, so /tickets is not empty on the first visit. */
/**
 * Two thirds of the customers on the journey board, each having walked the stages in order up to
 * theirs a few days apart, so the board shows time in stage and stage-to-stage conversion.
 */
async function seedJourneys(orgId: ObjectId, contacts: ContactDoc[], by: { _id: ObjectId; name: string }, now: Date) {
  const db = scoped(orgId);
  const targets: JourneyStage[] = ["awareness", "interest", "interest", "consideration", "awareness", "purchase", "consideration", "retention", "interest", "awareness"];
  const placed = contacts.slice(0, 20).map((c, i) => {
    const depth = journeyStages.indexOf(pick(targets, i));
    const stages = journeyStages.slice(0, depth + 1);
    // The last move happened (i % 6) + 1 days ago; each earlier one 4 days before the next.
    const dates = stages.map((_, k) => new Date(now.getTime() - ((i % 6) + 1 + (depth - k) * 4) * 86_400_000 - i * 3_600_000));
    const moves: JourneyMove[] = stages.map((stage, k) => ({ id: new ObjectId(), from: k ? stages[k - 1]! : null, to: stage, at: dates[k]!, byId: by._id, byName: by.name, source: "person", reason: null }));
    return { contact: c, stage: stages.at(-1)!, since: dates.at(-1)!, moves, reached: Object.fromEntries(stages.map((st, k) => [st, dates[k]!])) };
  });
  await db("customer_journeys").insertMany(
    placed.map((p) => ({
      _id: new ObjectId(), contactId: p.contact._id, stage: p.stage, stageSince: p.since, reached: p.reached, moves: p.moves,
      touchpoints: p.moves.map((m) => ({ type: "stage_changed", at: m.at, data: { from: m.from, to: m.to, by: m.byName, source: m.source } })),
      lastInteractionAt: null, createdAt: p.moves[0]!.at, updatedAt: p.since,
    })),
  );
  await db("contacts").bulkWrite(placed.map((p) => ({ updateOne: { filter: { _id: p.contact._id }, update: { $set: { journey: { stage: p.stage, since: p.since } } } } })));
}

async function seedTickets(orgId: ObjectId, conversations: Omit<ConversationDoc, "orgId">[], users: { _id: ObjectId; name: string; role: Role }[]) {
  const supervisor = users.find((u) => u.role === "supervisor")!;
  const agent = users.find((u) => u.role === "agent")!;
  const demo = [
    { subject: "Refund the double charge on order 1042", priority: "high" as const, category: "billing", assign: agent, status: "in_progress" as const },
    { subject: "Replacement for a damaged parcel", priority: "normal" as const, category: "shipping", assign: null, status: null },
    { subject: "Invoice with the company's VAT number", priority: "low" as const, category: "billing", assign: supervisor, status: "waiting_customer" as const },
  ];
  for (const [i, t] of demo.entries()) {
    const actor = { id: supervisor._id, name: supervisor.name };
    const ticket = await createTicket(orgId, actor, { subject: t.subject, priority: t.priority, category: t.category, conversationId: conversations[i]!._id.toHexString(), assigneeId: t.assign?._id.toHexString() ?? null }, "agent");
    if (t.status) await updateTicket(orgId, actor, ticket._id, { status: t.status });
  }
  return demo.length;
}

type DemoMessage = {
  direction: "inbound" | "outbound";
  sender: MessageDoc["sender"];
  type: MessageDoc["type"];
  text?: string;
  payload?: Record<string, unknown>;
  media?: MessageDoc["media"];
  status?: DeliveryStatus;
  reaction?: string;
};

const media = (mimeType: string, extra: Partial<NonNullable<MessageDoc["media"]>> = {}): NonNullable<MessageDoc["media"]> => ({
  waMediaId: null, mimeType, sha256: null, filename: null, caption: null, size: null, fileId: null, download: "not_needed", downloadError: null, ...extra,
});

/** Threads rotate through every message type and every delivery status. */
function demoThread(i: number): DemoMessage[] {
  const inText = (text: string): DemoMessage => ({ direction: "inbound", sender: "customer", type: "text", text });
  const outText = (text: string, status: DeliveryStatus = "read", sender: MessageDoc["sender"] = "agent"): DemoMessage => ({ direction: "outbound", sender, type: "text", text, status });
  const variants: DemoMessage[][] = [
    [inText("Hi! Do you ship to Canada?"), outText("Yes, we ship to Canada in 3-5 business days.", "read", "ai"), inText("Great, thanks!")],
    [inText("My order hasn't arrived"), { direction: "inbound", sender: "customer", type: "image", text: "Photo of the box", media: media("image/jpeg", { caption: "Photo of the box" }) }, outText("Sorry about that! Checking now.", "delivered")],
    [inText("Where is your store?"), outText("We are at 1 Market St, San Francisco.", "sent"), { direction: "inbound", sender: "customer", type: "location", text: "1 Market St", payload: { latitude: 37.7936, longitude: -122.395, name: "Ferry Building", address: "1 Market St" } }],
    [{ direction: "inbound", sender: "customer", type: "audio", text: null as unknown as string, media: media("audio/ogg; codecs=opus", { voice: true }) }, outText("Got your voice note, we'll call you back.", "failed")],
    [{ direction: "inbound", sender: "customer", type: "document", text: "invoice-2291.pdf", media: media("application/pdf", { filename: "invoice-2291.pdf", size: 48213 }) }, outText("Thanks, the invoice is received.", "read")],
    [{ direction: "inbound", sender: "customer", type: "contacts", text: "Shared contact: Jane Doe", payload: { contacts: [{ name: { formatted_name: "Jane Doe" }, phones: [{ phone: "+14155550199", type: "CELL" }] }] } }, outText("Thanks for the referral!", "read", "ai")],
    [{ direction: "outbound", sender: "agent", type: "template", text: "Hello Maria, your order #1042 has shipped.", payload: { name: "order_shipped", language: { code: "en_US" } }, status: "delivered" }, { direction: "inbound", sender: "customer", type: "button", text: "Track order", payload: { payload: "TRACK", text: "Track order" } }],
    [outText("Which plan are you interested in?", "read", "ai"), { direction: "inbound", sender: "customer", type: "interactive", text: "Pro plan", payload: { type: "list_reply", list_reply: { id: "plan_pro", title: "Pro plan", description: "$49/month" } } }],
    [{ direction: "inbound", sender: "customer", type: "video", text: "Unboxing", media: media("video/mp4", { caption: "Unboxing" }) }, outText("Love it!", "read"), { direction: "inbound", sender: "customer", type: "reaction", text: "❤️", payload: { emoji: "❤️" } }],
    [{ direction: "inbound", sender: "customer", type: "sticker", text: null as unknown as string, media: media("image/webp", { animated: false }) }, { direction: "inbound", sender: "customer", type: "order", text: "Order: 2 items", payload: { catalog_id: "1537", product_items: [{ product_retailer_id: "SKU-1", quantity: 2, item_price: 19.99, currency: "USD" }] } }],
    [{ direction: "inbound", sender: "customer", type: "unsupported", text: "Message type not supported by WhatsApp Cloud API", payload: { errors: [{ code: 131051, title: "Message type unknown" }] } }, outText("Sorry, we can't see that message. Could you type it?", "read")],
    [inText("Can I talk to a person please?"), { direction: "outbound", sender: "system", type: "system", text: "AI handed over to a human: customer asked for a person" }, outText("Hi, this is Alex. How can I help?", "delivered")],
  ];
  return pick(variants, i);
}
