import { ObjectId } from "mongodb";
import { CounterTally } from "@/lib/campaigns/counters";
import { onCampaignStatus } from "@/lib/campaigns/outcomes";
import { escapeKeys, unescapeKeys } from "@/lib/db/safe-keys";
import { scoped } from "@/lib/db/scoped";
import { deliveryStatuses, statusRank, type DeliveryStatus, type MessageDoc } from "@/lib/schemas/message";
import { statusSchema, toMetaError, type StatusItem } from "./envelope";
import type { StatusChange } from "./follow-ups";
import { insertNew } from "./insert-new";
import { mapLimit } from "./map-limit";

/** The statuses a message moves up from to `s`: lower on the ladder, and never `failed` (terminal). */
const below = (s: DeliveryStatus): (DeliveryStatus | null)[] => [null, ...deliveryStatuses.filter((d) => d !== "failed" && statusRank[d] < statusRank[s])];

/** `failed` is terminal; otherwise a status only moves up the ladder (a late `delivered` never replaces `read`). */
export function advances(current: DeliveryStatus | null, next: DeliveryStatus): boolean {
  return below(next).includes(current);
}

type Outcome = "advanced" | "recorded" | "known" | "missing";
type Applied = { outcome: Outcome; change?: StatusChange };

/**
 * Applies one status to its message with atomic single-document updates whose filters hold the
 * whole decision, so concurrent and out-of-order deliveries need no read first and nothing to retry:
 * 1. the status is higher than the message's and not in its history: it becomes the status and is
 *    appended to the history (the usual case, one write);
 * 2. else, not in the history yet (a late `delivered` after `read`): it is only appended;
 * 3. else the status was applied before (a redelivery), or the message is not stored yet.
 */
async function applyStatus(orgId: ObjectId, s: StatusItem, tally?: CounterTally): Promise<Applied> {
  const messages = scoped(orgId)("messages");
  const entry = { status: s.status, at: s.timestamp };
  const details = statusDetails(s);
  const target = messageOf(s);
  const moved = await messages.findOneAndUpdate(
    { ...target, status: { $in: below(s.status) }, "statusHistory.status": { $ne: s.status } },
    { $set: { ...details, ...(s.status === "failed" ? { error: failureOf(s) } : {}), status: s.status }, $push: { statusHistory: entry } },
    { projection: { conversationId: 1, sentAt: 1, campaign: 1 } },
  );
  if (moved) {
    await updatePreviewStatus(orgId, moved, s.status);
    if (moved.campaign) await onCampaignStatus(orgId, moved.campaign, s.status, s.timestamp, { error: s.status === "failed" ? failureOf(s) : null, pricing: s.pricing ?? null }, tally);
    const error = s.status === "failed" ? failureOf(s) : null;
    return { outcome: "advanced", change: { messageId: moved._id, conversationId: moved.conversationId, waMessageId: s.id, status: s.status, at: s.timestamp, error: error && { code: error.code, title: error.title } } };
  }
  const recorded = await messages.updateOne({ ...target, "statusHistory.status": { $ne: s.status } }, { $set: details, $push: { statusHistory: entry } });
  if (recorded.matchedCount > 0) return { outcome: "recorded" };
  if (await messages.findOne(target, { projection: { _id: 1 } })) return { outcome: "known" };
  return (await adoptByCallback(orgId, s)) ? applyStatus(orgId, s, tally) : { outcome: "missing" };
}

/** Meta's callback data, when it is one of our message ids (every send of ours carries it). */
function callbackId(s: StatusItem): ObjectId | null {
  const callback = (s as { biz_opaque_callback_data?: unknown }).biz_opaque_callback_data;
  return typeof callback === "string" && /^[a-f0-9]{24}$/.test(callback) ? new ObjectId(callback) : null;
}

/**
 * The message a status is for: by primary key when Meta echoed our id back (with the wamid, so a
 * forged or stale callback matches nothing), else by the wamid.
 */
function messageOf(s: StatusItem): { _id?: ObjectId; waMessageId: string } {
  const id = callbackId(s);
  return id ? { _id: id, waMessageId: s.id } : { waMessageId: s.id };
}

/**
 * Our sends carry the message id as `biz_opaque_callback_data`. A status for a wamid we never
 * recorded whose callback names a stored message without one is that message: its send was
 * accepted by Meta but the sender died before writing down the answer. The wamid is recorded now,
 * so the message (and its campaign recipient) is not sent a second time.
 */
async function adoptByCallback(orgId: ObjectId, s: StatusItem): Promise<boolean> {
  const id = callbackId(s);
  if (!id) return false;
  const res = await scoped(orgId)("messages").updateOne(
    { _id: id, direction: "outbound", waMessageId: null },
    { $set: { waMessageId: s.id, updatedAt: new Date() } },
  );
  return res.modifiedCount > 0;
}

/** What a status writes besides itself: Meta's pricing and conversation objects when present (v24+ often omits the conversation). */
function statusDetails(s: StatusItem): Record<string, unknown> {
  return { updatedAt: new Date(), ...(s.pricing ? { pricing: escapeKeys(s.pricing) } : {}), ...(s.conversation ? { waConversation: escapeKeys(s.conversation) } : {}) };
}

function failureOf(s: StatusItem): MessageDoc["error"] {
  return s.errors?.[0] ? toMetaError(s.errors[0]) : { code: 0, title: "Failed", message: null, details: null };
}

/** A wamid's statuses of one delivery, lowest first, so the history reads in ladder order. */
function ladderOrder(items: StatusItem[]): StatusItem[] {
  return [...new Map(items.map((s) => [s.status, s])).values()].sort((a, b) => statusRank[a.status] - statusRank[b.status]);
}

/**
 * Applies status webhooks to our outbound messages: each status once in `statusHistory` (in
 * whatever order they came), the message's `status` only moving up, Meta's error on `failed`, and
 * the pricing/conversation objects. A status for a wamid not stored yet (the webhook can beat the
 * send's API response) is kept in orphan_statuses until `applyOrphanStatuses` runs for it.
 */
export async function applyStatuses(orgId: ObjectId, items: StatusItem[]): Promise<{ applied: number; orphaned: number; advanced: StatusChange[] }> {
  const byWamid = new Map<string, StatusItem[]>();
  for (const s of items) byWamid.set(s.id, [...(byWamid.get(s.id) ?? []), s]);
  let applied = 0;
  let orphaned = 0;
  const advanced: StatusChange[] = [];
  // Campaign counters move once per envelope (lib/campaigns/counters.ts), also when a status throws.
  const tally = new CounterTally();
  try {
    await mapLimit([...byWamid], 8, async ([wamid, group]) => {
      const missing: StatusItem[] = [];
      for (const s of ladderOrder(group)) {
        const { outcome, change } = await applyStatus(orgId, s, tally);
        if (change) advanced.push(change);
        if (outcome === "missing") missing.push(s);
        else if (outcome !== "known") applied++;
      }
      if (missing.length === 0) return;
      await keepOrphans(orgId, wamid, missing);
      // The send may have stored the wamid between our update and the orphan insert; it would have
      // found no orphans to apply, so look once more.
      const late = await scoped(orgId)("messages").findOne({ waMessageId: wamid }, { projection: { _id: 1 } });
      if (late) await applyOrphanStatuses(orgId, wamid);
      else orphaned += missing.length;
    });
  } finally {
    await tally.flush(orgId);
  }
  return { applied, orphaned, advanced };
}

async function keepOrphans(orgId: ObjectId, wamid: string, group: StatusItem[]) {
  const now = new Date();
  await insertNew(
    scoped(orgId)("orphan_statuses"),
    group.map((s) => ({ _id: new ObjectId(), waMessageId: wamid, key: `${wamid}:${s.status}`, status: s.status, at: s.timestamp, raw: rawStatus(s), createdAt: now })),
  );
}

function rawStatus(s: StatusItem): Record<string, unknown> {
  return escapeKeys({ ...s, timestamp: String(Math.floor(s.timestamp.getTime() / 1000)) });
}

/**
 * Applies statuses that arrived before their message had a wamid. GRAPH's send calls this right
 * after storing the wamid of an outbound message. Each status is applied as a webhook would, so
 * two concurrent calls still record each once.
 */
export async function applyOrphanStatuses(orgId: ObjectId, waMessageId: string): Promise<void> {
  const db = scoped(orgId);
  const orphans = await db("orphan_statuses").find({ waMessageId }).toArray();
  if (orphans.length === 0) return;
  const items = orphans.flatMap((o) => {
    const parsed = statusSchema.safeParse(unescapeKeys(o.raw));
    return parsed.success ? [parsed.data] : [];
  });
  // Kept only while its message is still missing; an unreadable orphan can never apply.
  const keep = new Set<string>();
  for (const s of ladderOrder(items)) if ((await applyStatus(orgId, s)).outcome === "missing") keep.add(`${waMessageId}:${s.status}`);
  const done = orphans.map((o) => o.key).filter((k) => !keep.has(k));
  if (done.length) await db("orphan_statuses").deleteMany({ waMessageId, key: { $in: done } });
}

/**
 * The inbox list shows the last message's ticks: move them up when the status is for that message
 * (the preview is identified by its time, as the send service does).
 */
async function updatePreviewStatus(orgId: ObjectId, target: Pick<MessageDoc, "conversationId" | "sentAt">, status: DeliveryStatus) {
  await scoped(orgId)("conversations").updateOne(
    { _id: target.conversationId, "lastMessage.at": target.sentAt, "lastMessage.sender": { $ne: "customer" }, "lastMessage.status": { $in: below(status) } },
    { $set: { "lastMessage.status": status, updatedAt: new Date() } },
  );
}
