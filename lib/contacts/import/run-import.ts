import { ObjectId, type AnyBulkWriteOperation, type UpdateFilter } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import { PermanentJobError } from "@/lib/jobs/define-job";
import { log } from "@/lib/log";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { ContactImportDoc, ImportConfig, ImportProgress } from "@/lib/schemas/contact-import";
import { derivedId } from "@/lib/webhook/accounts";
import { recordConsent } from "@/lib/webhook/consent";
import { contactSearchTokens } from "../contact-fields";
import { openImportFile } from "./imports";
import type { NormalizedRow } from "./normalize";
import { listCustomFields } from "@/lib/contacts/custom-fields";
import { classifiedBatches, findExisting, withoutErased, type ExistingContact, type RowBatch } from "./rows";

/** Work per job run before it re-enqueues itself (well inside a serverless function's limit). */
export const IMPORT_TIME_BUDGET_MS = 20_000;
/** recordConsent calls in flight at once. */
const CONSENT_CONCURRENCY = 8;

export type RunImportResult = {
  /** done: the whole file is in; paused: the time budget ran out (enqueue the next run); superseded: another run of the same import is ahead; idle: not running. */
  status: "done" | "paused" | "superseded" | "idle";
  cursor: number;
};

type Running = ContactImportDoc & { mapping: ImportConfig["mapping"]; options: ImportConfig["options"]; startedAt: Date };

/**
 * Runs an import from its cursor, one batch of 500 rows at a time: one read of the batch's existing
 * contacts, one bulkWrite of upserts on the unique identity key, the consent ledger entries, then
 * the cursor and progress in one update. A crash anywhere re-runs at most the last batch, and every
 * step of a batch is idempotent: the upserts cannot duplicate a contact, a contact this import
 * created is recognised by its `source` (so it still counts as created and gets its consent), and
 * consent events have ids derived from the import and the contact's identity.
 */
export async function runImport(orgId: ObjectId, importId: ObjectId, opts: { budgetMs?: number; batchSize?: number } = {}): Promise<RunImportResult> {
  const imports = scoped(orgId)("contact_imports");
  const doc = await imports.findOne({ _id: importId });
  if (!doc) throw new PermanentJobError(`Import ${importId.toHexString()} not found`);
  if (doc.status !== "running") return { status: "idle", cursor: doc.cursor };
  if (!doc.mapping || !doc.options || !doc.startedAt) throw new PermanentJobError("The import has no mapping");
  const run = doc as Running;
  const config: ImportConfig = { mapping: run.mapping, options: run.options };
  const deadline = Date.now() + (opts.budgetMs ?? IMPORT_TIME_BUDGET_MS);

  let source;
  try {
    source = await openImportFile(orgId, run.fileId);
  } catch (err) {
    if (err instanceof ApiError) throw new PermanentJobError(err.message);
    throw err;
  }
  let cursor = run.cursor;
  // `now` is the start time, so a resumed run judges every row (e.g. "consent date in the future") as the first did.
  const definitions = await listCustomFields(orgId);
  for await (const raw of classifiedBatches(source, config, { afterLine: cursor, batchSize: opts.batchSize, now: run.startedAt, definitions })) {
    const batch = await withoutErased(orgId, raw);
    const delta = await writeBatch(orgId, run, config, batch);
    const moved = await imports.updateOne(
      { _id: importId, status: "running", cursor },
      {
        $set: { cursor: batch.lastLine, updatedAt: new Date() },
        $inc: { "progress.rowsDone": delta.rowsDone, "progress.created": delta.created, "progress.updated": delta.updated, "progress.skipped": delta.skipped, "progress.invalid": delta.invalid },
      },
    );
    // A second delivery of the job ran this batch first: it owns the import from here.
    if (moved.modifiedCount === 0) return { status: "superseded", cursor };
    cursor = batch.lastLine;
    if (!batch.last && Date.now() >= deadline) return { status: "paused", cursor };
  }
  const now = new Date();
  await imports.updateOne({ _id: importId, status: "running", cursor }, { $set: { status: "done", finishedAt: now, updatedAt: now } });
  log.info("contact_import.done", { orgId: orgId.toHexString(), importId: importId.toHexString(), rows: cursor });
  return { status: "done", cursor };
}

/** Marks an import failed (a permanent error, or retries exhausted); its cursor stays where it was. */
export async function failImport(orgId: ObjectId, importId: ObjectId, error: string) {
  const now = new Date();
  await scoped(orgId)("contact_imports").updateOne({ _id: importId, status: "running" }, { $set: { status: "failed", error, finishedAt: now, updatedAt: now } });
}

/** A new contact exactly as the webhook builds one (lib/webhook/contacts.ts), from an import row. */
function newContact(row: NormalizedRow, at: Date, now: Date): Omit<ContactDoc, "orgId"> {
  const phone = row.fields.phone ?? null;
  const searchable = { identityKey: row.identityKey, name: row.fields.name ?? null, phone, username: null, email: row.fields.email ?? null, company: row.fields.company ?? null };
  return {
    // Not derivedId(identityKey) like the webhook: a contact whose number changed keeps its old
    // derived id, and an import of that old number must not collide with it.
    _id: new ObjectId(),
    identityKey: row.identityKey,
    phone,
    waId: phone ? phone.slice(1) : null,
    bsuid: row.fields.bsuid ?? null,
    username: null,
    name: searchable.name,
    profileName: null,
    email: searchable.email,
    company: searchable.company,
    tags: row.tags,
    customFields: row.customFields,
    consent: { state: "unknown", marketing: false, changedAt: null, source: null },
    source: { kind: "import", referral: null, at },
    lastInboundAt: null,
    searchTokens: contactSearchTokens(searchable),
    liveConversationIds: {},
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * onExisting "update": the mapped non-empty fields are set, tags added, custom fields set per key,
 * search tokens recomputed from the merged contact; the rest is `$setOnInsert`, in case the contact
 * was deleted since it was read.
 */
function updateOf(existing: ExistingContact, row: NormalizedRow, at: Date, now: Date): UpdateFilter<ContactDoc> {
  const set: Record<string, unknown> = {};
  for (const k of ["name", "email", "company"] as const) if (row.fields[k] !== undefined) set[k] = row.fields[k];
  for (const [k, v] of Object.entries(row.customFields)) set[`customFields.${k}`] = v;
  set.searchTokens = contactSearchTokens({ ...existing, ...set });
  set.updatedAt = now;
  const insert: Partial<Omit<ContactDoc, "orgId">> = newContact(row, at, now);
  for (const k of ["name", "email", "company", "searchTokens", "updatedAt"] as const) if (k in set) delete insert[k];
  if (row.tags.length > 0) delete insert.tags;
  if (Object.keys(row.customFields).length > 0) delete insert.customFields;
  return { $set: set, $setOnInsert: insert, ...(row.tags.length > 0 ? { $addToSet: { tags: { $each: row.tags } } } : {}) } as UpdateFilter<ContactDoc>;
}

/** A contact this import created (on an earlier, interrupted delivery): counted and treated as new. */
const isOurs = (ex: ExistingContact, run: Running) => ex.source.kind === "import" && ex.source.at.getTime() === run.startedAt.getTime();

type ConsentWrite = { row: NormalizedRow; line: number; contactId: ObjectId | null; opIndex: number };

async function writeBatch(orgId: ObjectId, run: Running, config: ImportConfig, batch: RowBatch): Promise<ImportProgress> {
  const contacts = scoped(orgId)("contacts");
  const delta: ImportProgress = { rowsDone: batch.rows.length, created: 0, updated: 0, skipped: 0, invalid: 0 };
  const valid = batch.rows.flatMap((r) => (r.kind === "valid" ? [{ line: r.line, row: r.row }] : []));
  const existing = await findExisting(orgId, valid.map((v) => v.row));
  const now = new Date();
  const ops: AnyBulkWriteOperation<ContactDoc>[] = [];
  const consent: ConsentWrite[] = [];
  for (const r of batch.rows) {
    if (r.kind === "invalid") delta.invalid++;
    if (r.kind === "duplicate") delta.skipped++;
  }
  for (const { line, row } of valid) {
    const ex = existing.get(row.identityKey);
    const ours = !!ex && isOurs(ex, run);
    if (!ex || ours) {
      delta.created++;
      if (row.consent) consent.push({ row, line, contactId: ex?._id ?? null, opIndex: ops.length });
      ops.push({ updateOne: { filter: { identityKey: row.identityKey }, update: { $setOnInsert: newContact(row, run.startedAt, now) }, upsert: true } });
    } else if (config.options.onExisting === "skip") {
      delta.skipped++;
    } else {
      delta.updated++;
      // The customer's own opt-out (a STOP, their preferences) outranks a list: an import never reverses it.
      if (row.consent && !(row.consent.state === "opted_in" && ex.consent.state === "opted_out")) consent.push({ row, line, contactId: ex._id, opIndex: ops.length });
      else if (row.consent) log.info("contact_import.opt_in_ignored", { orgId: orgId.toHexString(), importId: run._id.toHexString(), line });
      // A WhatsApp user id row that matched a phone contact carrying that id updates that contact.
      const filter = ex.identityKey === row.identityKey ? { identityKey: row.identityKey } : { _id: ex._id };
      ops.push({ updateOne: { filter, update: updateOf(ex, row, run.startedAt, now), upsert: ex.identityKey === row.identityKey } });
    }
  }
  if (ops.length === 0) return delta;
  const result = await contacts.bulkWrite(ops, { ordered: false });
  // The run's list: one more idempotent write for the batch's imported contacts (not the skipped ones).
  if (config.options.listId) {
    const keys = valid.filter(({ row }) => !(existing.get(row.identityKey) && config.options.onExisting === "skip" && !isOurs(existing.get(row.identityKey)!, run))).map(({ row }) => row.identityKey);
    if (keys.length) await contacts.updateMany({ identityKey: { $in: keys } }, { $addToSet: { listIds: new ObjectId(config.options.listId) } });
  }

  // New contacts' ids: the upserted ones from the result; one that lost a race to the webhook is looked up.
  const upserted = new Map(Object.entries(result.upsertedIds).map(([i, id]) => [Number(i), id as ObjectId]));
  for (const c of consent) c.contactId ??= upserted.get(c.opIndex) ?? null;
  const unknown = consent.filter((c) => !c.contactId).map((c) => c.row.identityKey);
  if (unknown.length > 0) {
    const found = await contacts.find({ identityKey: { $in: unknown } }, { projection: { _id: 1, identityKey: 1 } }).toArray();
    const ids = new Map(found.map((f) => [f.identityKey, f._id]));
    for (const c of consent) c.contactId ??= ids.get(c.row.identityKey) ?? null;
  }
  const detail = (line: number) => `${config.options.consentSource ?? "import"} (file ${run.filename}, row ${line})`;
  const pending = consent.filter((c) => c.contactId);
  const worker = async () => {
    for (let c = pending.shift(); c; c = pending.shift()) {
      await recordConsent(orgId, c.contactId!, {
        eventId: derivedId(orgId, `contact-import:${run._id.toHexString()}:${c.row.identityKey}`),
        state: c.row.consent!.state,
        channel: "all",
        source: "import",
        detail: detail(c.line),
        at: c.row.consent!.at ?? run.startedAt,
      });
    }
  };
  // Settled, not all: a failure must not leave writes in flight while the job's retry starts.
  const failed = (await Promise.allSettled(Array.from({ length: CONSENT_CONCURRENCY }, worker))).find((r) => r.status === "rejected");
  if (failed) throw failed.reason;
  return delta;
}
