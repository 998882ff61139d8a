import type { Readable } from "node:stream";
import type { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { ImportConfig, ImportIssue } from "@/lib/schemas/contact-import";
import { suppressedIdentities } from "@/lib/contacts/gdpr";
import type { CustomFieldDefinitionDoc } from "@/lib/schemas/custom-field";
import { normalizeRow, type NormalizedRow } from "./normalize";
import { readCsv } from "./read-csv";

/** Rows per batch: one contact lookup and one bulkWrite each. */
export const IMPORT_BATCH_SIZE = 500;

/**
 * A data row's fate before the database is asked. Several rows for one contact (the same phone in
 * different formats): the FIRST one wins, later ones are `duplicate` (counted as skipped). First
 * wins because the file is streamed: a later row cannot change what an earlier batch already wrote.
 */
export type ClassifiedRow =
  | { line: number; kind: "valid"; row: NormalizedRow }
  | { line: number; kind: "invalid"; issues: ImportIssue[] }
  | { line: number; kind: "duplicate"; identityKey: string; column: string; firstLine: number };

/** `last`: no rows follow in the file. */
export type RowBatch = { rows: ClassifiedRow[]; lastLine: number; last: boolean };

/**
 * Streams a CSV as batches of classified rows. Rows 1..`afterLine` (already committed by an earlier
 * run) are read and classified, so duplicates of them are still recognised, but not yielded.
 * Memory: one identity key per distinct contact, never the rows themselves.
 */
export async function* classifiedBatches(
  source: Readable,
  config: ImportConfig,
  opts: { afterLine?: number; batchSize?: number; now?: Date; definitions?: CustomFieldDefinitionDoc[] } = {},
): AsyncGenerator<RowBatch> {
  const { afterLine = 0, batchSize = IMPORT_BATCH_SIZE, now = new Date() } = opts;
  const definitions = new Map((opts.definitions ?? []).map((d) => [d.key, d]));
  const firstLineOf = new Map<string, number>();
  const identityColumn = config.mapping.find((m) => m.target.kind === "field" && (m.target.field === "phone" || m.target.field === "bsuid"))!.column;
  let batch: ClassifiedRow[] = [];
  for await (const csvRow of readCsv(source)) {
    let classified: ClassifiedRow;
    if ("error" in csvRow) {
      classified = { line: csvRow.line, kind: "invalid", issues: [{ line: csvRow.line, column: null, code: "malformed_row", message: csvRow.error }] };
    } else {
      const result = normalizeRow(csvRow.values, config.mapping, config.options, now, definitions);
      if (!result.ok) {
        classified = { line: csvRow.line, kind: "invalid", issues: result.issues.map((i) => ({ line: csvRow.line, ...i })) };
      } else {
        const firstLine = firstLineOf.get(result.row.identityKey);
        if (firstLine === undefined) {
          firstLineOf.set(result.row.identityKey, csvRow.line);
          classified = { line: csvRow.line, kind: "valid", row: result.row };
        } else {
          classified = { line: csvRow.line, kind: "duplicate", identityKey: result.row.identityKey, column: identityColumn, firstLine };
        }
      }
    }
    if (classified.line <= afterLine) continue;
    // A full batch is held until the next row shows it is not the last one.
    if (batch.length >= batchSize) {
      yield { rows: batch, lastLine: batch.at(-1)!.line, last: false };
      batch = [];
    }
    batch.push(classified);
  }
  if (batch.length > 0) yield { rows: batch, lastLine: batch.at(-1)!.line, last: true };
}

export type ExistingContact = Pick<ContactDoc, "_id" | "identityKey" | "bsuid" | "name" | "phone" | "username" | "email" | "company" | "consent" | "source">;

const EXISTING_FIELDS = { _id: 1, identityKey: 1, bsuid: 1, name: 1, phone: 1, username: 1, email: 1, company: 1, consent: 1, source: 1 } as const;

/**
 * The organization's contacts for a batch's valid rows, by the row's identity key. A WhatsApp user
 * id row also matches a phone contact that already carries that id (as the webhook does), so an
 * import never splits one customer into two contacts.
 */
export async function findExisting(orgId: ObjectId, rows: NormalizedRow[]): Promise<Map<string, ExistingContact>> {
  return match(orgId, rows, EXISTING_FIELDS) as Promise<Map<string, ExistingContact>>;
}

/** Which rows' contacts exist (the dry run). By phone the lookup reads only the unique identity index (covered). */
export async function findExistingKeys(orgId: ObjectId, rows: NormalizedRow[]): Promise<Set<string>> {
  return new Set((await match(orgId, rows, { _id: 0, identityKey: 1 })).keys());
}

async function match(orgId: ObjectId, rows: NormalizedRow[], projection: Record<string, 0 | 1>): Promise<Map<string, Partial<ExistingContact>>> {
  const out = new Map<string, Partial<ExistingContact>>();
  if (rows.length === 0) return out;
  const keys = rows.map((r) => r.identityKey);
  const bsuids = rows.flatMap((r) => (r.fields.bsuid ? [r.fields.bsuid] : []));
  const found = await scoped(orgId)("contacts")
    .find(bsuids.length > 0 ? { $or: [{ identityKey: { $in: keys } }, { bsuid: { $in: bsuids } }] } : { identityKey: { $in: keys } }, {
      projection: bsuids.length > 0 ? { ...projection, bsuid: 1 } : projection,
    })
    .toArray();
  const byKey = new Map(found.map((c) => [c.identityKey, c]));
  const byBsuid = new Map(found.filter((c) => c.bsuid).map((c) => [c.bsuid!, c]));
  for (const r of rows) {
    const hit = byKey.get(r.identityKey) ?? (r.fields.bsuid ? byBsuid.get(r.fields.bsuid) : undefined);
    if (hit) out.set(r.identityKey, hit);
  }
  return out;
}

/**
 * People erased at their request (lib/contacts/gdpr.ts) are not brought back by an import: their
 * rows become invalid with the reason, one suppression lookup per batch.
 */
export async function withoutErased(orgId: ObjectId, batch: RowBatch): Promise<RowBatch> {
  const valid = batch.rows.flatMap((r) => (r.kind === "valid" ? [r.row.identityKey] : []));
  const erased = await suppressedIdentities(orgId, valid);
  if (erased.size === 0) return batch;
  return {
    ...batch,
    rows: batch.rows.map((r) =>
      r.kind === "valid" && erased.has(r.row.identityKey)
        ? { line: r.line, kind: "invalid" as const, issues: [{ line: r.line, column: null, code: "erased" as const, message: "This person's data was erased at their request: not imported" }] }
        : r,
    ),
  };
}
