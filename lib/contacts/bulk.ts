import { ObjectId } from "mongodb";
import type { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import { enqueue } from "@/lib/jobs/enqueue";
import type { BulkAction, ContactBulkActionDoc, bulkActionBody } from "@/lib/schemas/contact-bulk";
import type { ContactDoc } from "@/lib/schemas/contact";
import { countContacts, listContacts } from "./directory";
import { eraseContacts } from "./gdpr";
import { getSegment } from "./segments/store";

/** Contacts per batch: one read and one write each (a delete: one per collection it clears). */
export const BULK_BATCH = 500;
/** Time one delivery of the job works before it hands the rest to a fresh one (serverless time limits). */
const BUDGET_MS = 20_000;
const COUNT_CAP = 1_000_000;

export type BulkStart = { bulkAction: ContactBulkActionDoc } | { matched: 0; message: string };

/**
 * A bulk action over every contact the selection matches, not only the page on screen. The
 * selection is frozen when it starts (a saved segment's definition is copied), counted for the
 * progress bar, and worked through by the `contacts-bulk` job in keyset batches.
 */
export async function startBulkAction(orgId: ObjectId, actor: Actor, body: z.output<typeof bulkActionBody>): Promise<BulkStart> {
  if (body.segmentId && body.definition) throw new ApiError("bad_request", "Give a segment or a definition, not both");
  const definition = body.segmentId ? (await getSegment(orgId, new ObjectId(body.segmentId))).definition : (body.definition ?? null);
  const q = body.q || undefined;
  // Adding to a list that is not there (deleted, or another organization's) would write a dangling id.
  if (body.action.kind === "add_to_list" && !(await scoped(orgId)("contact_lists").findOne({ _id: new ObjectId(body.action.listId) }, { projection: { _id: 1 } }))) {
    throw new ApiError("not_found", "List not found");
  }
  // An owner must be an active teammate of this organization.
  if (body.action.kind === "set_owner" && body.action.ownerId && !(await scoped(orgId)("users").findOne({ _id: new ObjectId(body.action.ownerId), active: true }, { projection: { _id: 1 } }))) {
    throw new ApiError("not_found", "That teammate was not found");
  }
  const { count } = await countContacts(orgId, { q, definition }, COUNT_CAP);
  if (count === 0) return { matched: 0, message: "No contact matches the selection: nothing was changed." };
  if ((body.action.kind === "delete" || body.action.kind === "erase") && body.confirmCount !== count) {
    const contacts = (n: number) => `${n.toLocaleString("en")} contact${n === 1 ? "" : "s"}`;
    throw new ApiError("conflict", `The selection now matches ${contacts(count)}, not the ${body.confirmCount === undefined ? "unconfirmed number" : contacts(body.confirmCount)} you confirmed. Check it and confirm again.`);
  }
  const now = new Date();
  const doc: Omit<ContactBulkActionDoc, "orgId"> = {
    _id: new ObjectId(),
    action: body.action,
    q: q ?? null,
    definition,
    status: "queued",
    total: count,
    done: 0,
    changed: 0,
    cursor: null,
    error: null,
    createdBy: actor.id,
    finishedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await scoped(orgId)("contact_bulk_actions").insertOne(doc);
  await recordActivity(orgId, actor, { action: `contacts.bulk_${body.action.kind}`, entityType: "contact", entityId: null, after: { bulkActionId: doc._id.toHexString(), matched: count, ...body.action } });
  await enqueue("contacts-bulk", { orgId: orgId.toHexString(), bulkActionId: doc._id.toHexString() }, { deduplicationId: `contacts-bulk-${doc._id.toHexString()}-start` });
  return { bulkAction: { ...doc, orgId } };
}

export async function getBulkAction(orgId: ObjectId, id: ObjectId): Promise<ContactBulkActionDoc> {
  const doc = await scoped(orgId)("contact_bulk_actions").findOne({ _id: id });
  if (!doc) throw new ApiError("not_found", "Bulk action not found");
  return doc;
}

/** Applies the action to one batch; returns how many contacts it changed. Safe to repeat. */
async function apply(orgId: ObjectId, action: BulkAction, contacts: ContactDoc[]): Promise<number> {
  const db = scoped(orgId);
  const ids = contacts.map((c) => c._id);
  const updatedAt = new Date();
  switch (action.kind) {
    case "add_tags":
      return (await db("contacts").updateMany({ _id: { $in: ids } }, { $addToSet: { tags: { $each: action.tags } }, $set: { updatedAt } })).modifiedCount;
    case "remove_tags":
      return (await db("contacts").updateMany({ _id: { $in: ids }, tags: { $in: action.tags } }, { $pullAll: { tags: action.tags }, $set: { updatedAt } })).modifiedCount;
    case "rename_tag": {
      // Two idempotent steps (add the new name, drop the old): a repeat of the batch changes nothing.
      await db("contacts").updateMany({ _id: { $in: ids }, tags: action.from }, { $addToSet: { tags: action.to }, $set: { updatedAt } });
      return (await db("contacts").updateMany({ _id: { $in: ids }, tags: action.from }, { $pull: { tags: action.from } })).modifiedCount;
    }
    case "set_owner": {
      const ownerId = action.ownerId ? new ObjectId(action.ownerId) : null;
      return (await db("contacts").updateMany({ _id: { $in: ids }, ownerId: { $ne: ownerId } }, { $set: { ownerId, updatedAt } })).modifiedCount;
    }
    case "add_to_list":
      return (await db("contacts").updateMany({ _id: { $in: ids } }, { $addToSet: { listIds: new ObjectId(action.listId) }, $set: { updatedAt } })).modifiedCount;
    case "remove_from_list":
      return (await db("contacts").updateMany({ _id: { $in: ids } }, { $pull: { listIds: new ObjectId(action.listId) }, $set: { updatedAt } })).modifiedCount;
    case "erase":
      await eraseContacts(orgId, null, contacts);
      return contacts.length;
    case "delete": {
      // Children first and the contact last: a batch cut off half-way is finished by the next delivery.
      const conversations = await db("conversations").find({ contactId: { $in: ids } }, { projection: { _id: 1 } }).toArray();
      const conversationIds = conversations.map((c) => c._id);
      if (conversationIds.length) {
        await db("messages").deleteMany({ conversationId: { $in: conversationIds } });
        await db("conversations").deleteMany({ _id: { $in: conversationIds } });
      }
      await Promise.all([
        db("consent_events").deleteMany({ contactId: { $in: ids } }),
        db("lead_scores").deleteMany({ contactId: { $in: ids } }),
        db("customer_journeys").deleteMany({ contactId: { $in: ids } }),
      ]);
      return (await db("contacts").deleteMany({ _id: { $in: ids } })).deletedCount;
    }
  }
}

/** One delivery of `contacts-bulk`: batches from the saved cursor until done or out of time. */
export async function runBulkAction(orgId: ObjectId, id: ObjectId, budgetMs = BUDGET_MS): Promise<{ status: "done" | "continues" | "gone"; cursor: string | null }> {
  const actions = scoped(orgId)("contact_bulk_actions");
  const doc = await actions.findOneAndUpdate({ _id: id, status: { $in: ["queued", "running"] } }, { $set: { status: "running", updatedAt: new Date() } }, { returnDocument: "after" });
  if (!doc) return { status: "gone", cursor: null };
  const deadline = Date.now() + budgetMs;
  let cursor = doc.cursor;
  for (;;) {
    const page = await listContacts(orgId, { q: doc.q ?? undefined, definition: doc.definition, sort: "newest", cursor: cursor ?? undefined, limit: BULK_BATCH });
    const changed = page.contacts.length ? await apply(orgId, doc.action, page.contacts) : 0;
    cursor = page.nextCursor;
    const finished = !cursor;
    await actions.updateOne(
      { _id: id },
      {
        $inc: { done: page.contacts.length, changed },
        $set: { cursor, updatedAt: new Date(), ...(finished ? { status: "done" as const, finishedAt: new Date() } : {}) },
      },
    );
    if (finished) return { status: "done", cursor };
    if (Date.now() > deadline) return { status: "continues", cursor };
  }
}

export function toBulkActionResponse(d: ContactBulkActionDoc) {
  return {
    id: d._id.toHexString(),
    action: d.action,
    status: d.status,
    total: d.total,
    done: d.done,
    changed: d.changed,
    error: d.error,
    createdAt: d.createdAt.toISOString(),
    finishedAt: d.finishedAt?.toISOString() ?? null,
  };
}
