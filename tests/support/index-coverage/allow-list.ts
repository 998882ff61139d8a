import { OBSOLETE_FIELDS } from "@/lib/db/migrations";
import { AUDIT_FILTERS_SCOPE_TAG } from "@/lib/audit/audit-log";
import { SEGMENT_SCOPE_TAG } from "@/lib/contacts/segments/run";
import type { DeliberateScan, DeliberateScope, ResidualField } from "./esr";

/**
 * The exceptions to the index-coverage rule (esr.ts), each with its reason. Keep both lists short:
 * an entry here is a query Atlas answers by examining more documents than it returns.
 *
 * - `deliberateScans`: an exact query shape (as the report prints it) that may scan, e.g. an
 *   operator's export that reads a whole collection on purpose.
 * - `deliberateScopes`: every query of one kind (a command-scope tag) on a collection, within one
 *   organization: for filters a person composes, which no fixed set of indexes can serve.
 * - `residualFields`: a field of a collection that may be filtered after the index lookup without
 *   being in the index, because nearly every document the index finds passes it.
 */
export const deliberateScans: DeliberateScan[] = [
  // lib/db/migrations.ts: a one-off pass at deploy time that visits the documents an earlier version wrote.
  ...Object.entries(OBSOLETE_FIELDS).map(([coll, fields]) => ({
    coll,
    filter: { $or: fields!.map((f) => ({ [f]: "exists" })) },
    reason: "the migration removes fields earlier versions wrote: it reads every document once, at deploy time",
  })),
  // lib/jobs/retention.ts, lib/inbox/wake-snoozed-job.ts: the platform's recurring jobs run per organization.
  ...[undefined, { _id: 1 as const }].map((sort) => ({
    coll: "organizations",
    filter: {},
    ...(sort ? { sort } : {}),
    reason: "a platform job visits every organization once per run (one small document per tenant, _id only)",
  })),
];

export const residualFields: ResidualField[] = [
  { coll: "ai_runs", field: "turn", reason: "agent metrics count model calls (turn >= 1): nearly every run log entry is one" },
  { coll: "contacts", field: "erasedAt", reason: "lists and audiences leave out erased contacts (tombstones): nearly every contact is not one" },
];

export const deliberateScopes: DeliberateScope[] = [
  {
    coll: "activity_logs",
    tag: AUDIT_FILTERS_SCOPE_TAG,
    reason: "the audit log with two or three filters combined (person, record, action): one filter's index finds the entries newest first, the others are checked on them, 51 at a time",
  },
  {
    coll: "contacts",
    tag: SEGMENT_SCOPE_TAG,
    reason: "a segment is any filter a person builds (lib/contacts/segments/run.ts): it examines at most the organization's contacts",
  },
];
