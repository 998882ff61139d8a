import { ObjectId } from "mongodb";
import { serialByKey } from "@/lib/concurrency";
import { scoped } from "@/lib/db/scoped";
import { deliveryStatuses, statusRank, type DeliveryStatus, type MessageDoc } from "@/lib/schemas/message";
import { statusSchema, toMetaError, type StatusItem } from "./envelope";
import { insertNew } from "./insert-new";
import { mapLimit } from "./map-limit";

type Target = Pick<MessageDoc, "_id" | "status" | "statusHistory" | "conversationId" | "sentAt">;
const targetProjection = { _id: 1, status: 1, statusHistory: 1, conversationId: 1, sentAt: 1 } as const;

/** `failed` is terminal; otherwise a status only moves up the ladder (a late `delivered` never replaces `read`). */
export function advances(current: DeliveryStatus | null, next: DeliveryStatus): boolean {
  if (current === "failed") return false;
  return current === null || statusRank[next] > statusRank[current];
}

/**
 * wamid -> message `_id`, which never changes once the send stored it: a message gets sent,
 * delivered and read statuses, and after the first one this instance finds it by primary key.
 */
const MAX_CACHED_IDS = 50_000;
const idByWamid = new Map<string, ObjectId>();

/** One status application at a time per message on this instance (see serialByKey). */
const messageSerial = serialByKey();

const cacheKey = (orgId: ObjectId, wamid: string) => `${orgId.toHexString()}:${wamid}`;
function rememberId(orgId: ObjectId, wamid: string, id: ObjectId) {
  const key = cacheKey(orgId, wamid);
  if (idByWamid.has(key)) return;
  if (idByWamid.size >= MAX_CACHED_IDS) idByWamid.delete(idByWamid.keys().next().value!);
  idByWamid.set(key, id);
}

async function findTarget(orgId: ObjectId, wamid: string): Promise<Target | null> {
  const messages = scoped(orgId)("messages");
  const known = idByWamid.get(cacheKey(orgId, wamid));
  const target = ((known && (await messages.findOne({ _id: known }, { projection: targetProjection }))) ??
    (await messages.findOne({ waMessageId: wamid }, { projection: targetProjection }))) as Target | null;
  if (target) rememberId(orgId, wamid, target._id);
  return target;
}

/**
 * The usual status, alone in its delivery and moving the message up the ladder (Meta mostly reports
 * sent, delivered, read in order): applied in ONE conditional write that also returns what the
 * preview update needs. Anything else (a duplicate, a late or out-of-order status, a message not
 * stored yet) does not match and takes the read-then-write path.
 */
async function applyInOneWrite(orgId: ObjectId, wamid: string, s: StatusItem): Promise<boolean> {
  const known = idByWamid.get(cacheKey(orgId, wamid));
  const before = (await scoped(orgId)("messages").findOneAndUpdate(
    { ...(known ? { _id: known } : { waMessageId: wamid }), status: { $in: below(s.status) }, "statusHistory.status": { $nin: [s.status] } },
    { $set: { ...statusSet(s.status, [s]), status: s.status }, $push: { statusHistory: { $each: [{ status: s.status, at: s.timestamp }] } } },
    // No projection: FerretDB's findAndModify does not implement `fields`.
    { returnDocument: "before" },
  )) as Target | null;
  if (!before) return false;
  rememberId(orgId, wamid, before._id);
  await updatePreviewStatus(orgId, before, s.status);
  return true;
}

/** The fields a set of new statuses writes besides `status` and the history: Meta's error, pricing, conversation. */
function statusSet(top: DeliveryStatus | null, fresh: StatusItem[]): Record<string, unknown> {
  const set: Record<string, unknown> = { updatedAt: new Date() };
  const failed = fresh.find((s) => s.status === "failed");
  if (failed && top === "failed") set.error = failed.errors?.[0] ? toMetaError(failed.errors[0]) : { code: 0, title: "Failed", message: null, details: null };
  const priced = fresh.findLast((s) => s.pricing);
  if (priced) set.pricing = priced.pricing;
  const withConversation = fresh.findLast((s) => s.conversation);
  if (withConversation) set.waConversation = withConversation.conversation;
  return set;
}

const below = (s: DeliveryStatus) => [null, ...deliveryStatuses.filter((d) => d !== "failed" && statusRank[d] < statusRank[s])];

/**
 * Applies status webhooks to our outbound messages: each status once (kept in `statusHistory`, in
 * whatever order they came), the message's `status` only moving forward, Meta's error on `failed`,
 * and the pricing/conversation objects when present (v24+ often omits the conversation). A status
 * for a wamid not stored yet (the webhook can beat the send's API response) is kept in
 * orphan_statuses until `applyOrphanStatuses` runs for it.
 */
export async function applyStatuses(orgId: ObjectId, items: StatusItem[]): Promise<{ applied: number; orphaned: number }> {
  const byWamid = new Map<string, StatusItem[]>();
  for (const s of items) byWamid.set(s.id, [...(byWamid.get(s.id) ?? []), s]);
  const messages = scoped(orgId)("messages");
  let applied = 0;
  let orphaned = 0;
  await mapLimit([...byWamid], 8, ([wamid, group]) => messageSerial(cacheKey(orgId, wamid), async () => {
    if (group.length === 1 && (await applyInOneWrite(orgId, wamid, group[0]!))) {
      applied++;
      return;
    }
    const target = await findTarget(orgId, wamid);
    if (target) {
      const n = await applyToMessage(orgId, target, group);
      applied += n;
      return;
    }
    await keepOrphans(orgId, wamid, group);
    // The send may have stored the wamid between our read and the orphan insert; it would have
    // found no orphans to apply, so look once more.
    const late = await messages.findOne({ waMessageId: wamid }, { projection: { _id: 1 } });
    if (late) await applyOrphanStatuses(orgId, wamid);
    else orphaned += group.length;
  }));
  return { applied, orphaned };
}

async function keepOrphans(orgId: ObjectId, wamid: string, group: StatusItem[]) {
  const now = new Date();
  await insertNew(
    scoped(orgId)("orphan_statuses"),
    group.map((s) => ({ _id: new ObjectId(), waMessageId: wamid, key: `${wamid}:${s.status}`, status: s.status, at: s.timestamp, raw: rawStatus(s), createdAt: now })),
  );
}

function rawStatus(s: StatusItem): Record<string, unknown> {
  return { ...s, timestamp: String(Math.floor(s.timestamp.getTime() / 1000)) };
}

/**
 * Applies statuses that arrived before their message had a wamid. GRAPH's send calls this right
 * after storing the wamid of an outbound message.
 */
export async function applyOrphanStatuses(orgId: ObjectId, waMessageId: string): Promise<void> {
  const db = scoped(orgId);
  const orphans = await db("orphan_statuses").find({ waMessageId }).toArray();
  if (orphans.length === 0) return;
  const target = await findTarget(orgId, waMessageId);
  if (!target) return;
  const items = orphans.flatMap((o) => {
    const parsed = statusSchema.safeParse(o.raw);
    return parsed.success ? [parsed.data] : [];
  });
  await applyToMessage(orgId, target, items);
  await db("orphan_statuses").deleteMany({ waMessageId, key: { $in: orphans.map((o) => o.key) } });
}

/**
 * One conditional update per message (compare-and-set on the status and history it was read with;
 * a concurrent delivery makes it re-read and try again). Returns how many statuses were new.
 */
async function applyToMessage(orgId: ObjectId, target: Target, group: StatusItem[]): Promise<number> {
  const messages = scoped(orgId)("messages");
  let current: Target | null = target;
  for (let attempt = 0; current && attempt < 5; attempt++) {
    const seen = new Set(current.statusHistory.map((h) => h.status));
    const fresh = [...new Map(group.filter((s) => !seen.has(s.status)).map((s) => [s.status, s])).values()].sort(
      (a, b) => statusRank[a.status] - statusRank[b.status],
    );
    if (fresh.length === 0) return 0;
    let top = current.status;
    for (const s of fresh) if (advances(top, s.status)) top = s.status;
    const set = statusSet(top, fresh);
    if (top !== current.status) set.status = top;
    const res = await messages.updateOne(
      { _id: current._id, status: current.status, "statusHistory.status": { $nin: fresh.map((s) => s.status) } },
      { $set: set, $push: { statusHistory: { $each: fresh.map((s) => ({ status: s.status, at: s.timestamp })) } } },
    );
    if (res.matchedCount === 1) {
      if (top && top !== current.status) await updatePreviewStatus(orgId, current, top);
      return fresh.length;
    }
    current = (await messages.findOne({ _id: current._id }, { projection: targetProjection })) as Target | null;
  }
  return 0;
}

/**
 * The inbox list shows the last message's ticks: move them when the status is for that message (the
 * preview is identified by its time, as the send service does).
 */
async function updatePreviewStatus(orgId: ObjectId, target: Target, status: DeliveryStatus) {
  await scoped(orgId)("conversations").updateOne(
    { _id: target.conversationId, "lastMessage.at": target.sentAt, "lastMessage.sender": { $ne: "customer" }, "lastMessage.status": { $in: status === "failed" ? [null, ...deliveryStatuses.filter((d) => d !== "failed")] : below(status) } },
    { $set: { "lastMessage.status": status, updatedAt: new Date() } },
  );
}
