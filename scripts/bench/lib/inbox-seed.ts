/**
 * The inbox benchmark's data set: one organization, ten agents, `conversations`
 * conversations with activity spread over 90 days and `messages` messages spread evenly over them,
 * written by bulk insert (the app's write paths are not what this measures).
 */
import { ObjectId } from "mongodb";

const AGENTS = 10;

const words = ["order", "refund", "delivery", "invoice", "parcel", "broken", "address", "payment", "discount", "warranty", "exchange", "tracking", "umbrella", "sneakers", "jacket"];

/** Bulk-inserts the data set; returns what the scenarios query with. */
export async function seedInbox(CONVERSATIONS: number, MESSAGES: number) {
  const { ensureIndexes } = await import("@/lib/db/indexes");
  const { ensureDefaultOrganization } = await import("@/lib/setup/default-organization");
  const { createUser } = await import("@/lib/team/users");
  const { rawCollection } = await import("@/lib/db/collections");
  const { searchTokens } = await import("@/lib/search/tokens");
  await ensureIndexes();
  const orgId = await ensureDefaultOrganization();
  const suffix = orgId.toHexString().slice(-6);
  const admin = await createUser(orgId, { email: `bench-admin-${suffix}@example.com`, name: "Bench Admin", role: "admin", password: "bench-password-1", createdBy: null });
  const agents = [];
  for (let i = 0; i < AGENTS; i++) agents.push(await createUser(orgId, { email: `bench-agent${i}-${suffix}@example.com`, name: `Agent ${i}`, role: "agent", password: "bench-password-1", createdBy: null }));
  const accountId = new ObjectId();

  const now = Date.now();
  const perConversation = Math.max(1, Math.floor(MESSAGES / CONVERSATIONS));
  const conversations = rawCollection("conversations");
  const messages = rawCollection("messages");
  const statuses = ["open", "assigned", "assigned", "ai_handled", "waiting", "resolved", "resolved", "closed"] as const;
  let busiest: ObjectId | null = null;
  const started = Date.now();
  for (let from = 0; from < CONVERSATIONS; from += 1000) {
    const convBatch = [];
    const msgBatch = [];
    for (let i = from; i < Math.min(CONVERSATIONS, from + 1000); i++) {
      const _id = new ObjectId();
      const contactId = new ObjectId();
      const status = statuses[i % statuses.length]!;
      const assignee = status === "assigned" || status === "waiting" || (status === "resolved" && i % 2 === 0) ? agents[i % AGENTS]!._id : null;
      // Activity spread over 90 days, newest first for low i.
      const last = new Date(now - Math.floor((i / CONVERSATIONS) * 90 * 86400_000) - (i % 997));
      const name = `Customer ${i}`;
      const phone = `+1${String(4_150_000_000 + i)}`;
      convBatch.push({
        _id, orgId, accountId, contactId, liveKey: status === "closed" ? `closed:${_id.toHexString()}` : `${contactId.toHexString()}:${accountId.toHexString()}`,
        status, priority: i % 13 === 0 ? "urgent" : i % 5 === 0 ? "high" : "normal", assigneeId: assignee, tags: i % 3 === 0 ? ["vip"] : [],
        contact: { name, phone, identityKey: phone }, lastMessage: { preview: `About my ${words[i % words.length]}`, type: "text", sender: "customer" as const, status: null, at: last },
        lastActivityAt: last, lastCustomerMessageAt: last, unreadCount: i % 4, firstResponseAt: null, snoozedUntil: null, resolvedAt: status === "resolved" ? last : null,
        ai: { enabled: true, confidence: null, handoverReason: null, consecutiveReplies: 0 }, source: null, searchTokens: searchTokens(name, phone),
        createdAt: new Date(last.getTime() - 3600_000), updatedAt: last,
      });
      if (i === 0) busiest = _id;
      for (let k = 0; k < perConversation; k++) {
        const at = new Date(last.getTime() - (perConversation - k) * 60_000);
        const inbound = k % 2 === 0;
        const text = `Message ${k} about the ${words[(i + k) % words.length]} ${words[(i * 7 + k) % words.length]} number ${i}-${k}`;
        const wamid = `wamid.bench${i}x${k}`;
        msgBatch.push({
          _id: new ObjectId(), orgId, conversationId: _id, contactId, accountId, key: inbound ? `wa:${wamid}` : `out:bench-${i}-${k}`, waMessageId: wamid,
          direction: inbound ? "inbound" : "outbound", sender: inbound ? "customer" : "agent", senderUserId: inbound ? null : agents[i % AGENTS]!._id,
          type: "text", text, payload: null, media: null, replyTo: null, reactions: [], edited: null, revokedAt: null, forwarded: "no",
          status: inbound ? null : "read", statusHistory: [], error: null, pricing: null, waConversation: null, sentAt: at,
          searchTokens: searchTokens(text), createdAt: at, updatedAt: at,
        });
      }
    }
    await conversations.insertMany(convBatch as never[], { ordered: false });
    for (let m = 0; m < msgBatch.length; m += 5000) await messages.insertMany(msgBatch.slice(m, m + 5000) as never[], { ordered: false });
    process.stdout.write(`\r[bench] seeded ${Math.min(CONVERSATIONS, from + 1000)}/${CONVERSATIONS} conversations (${Math.round((Date.now() - started) / 1000)} s)`);
  }
  process.stdout.write("\n");
  return { admin, agent: agents[0]!, busiest: busiest!, perConversation };
}
