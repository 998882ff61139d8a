import { once } from "node:events";
import type { Readable } from "node:stream";
import { stringify, type Stringifier } from "csv-stringify";
import type { ObjectId } from "mongodb";
import type { DryRunSummary, ImportConfig } from "@/lib/schemas/contact-import";
import { listCustomFields } from "@/lib/contacts/custom-fields";
import { classifiedBatches, findExistingKeys, withoutErased } from "./rows";

/** Issues kept in the summary; the CSV report has every one. */
const MAX_SUMMARY_ISSUES = 1000;

/** The per-row report's columns. `status`: create, update, skip (existing, onExisting "skip"), duplicate or invalid. */
export const REPORT_COLUMNS = ["line", "status", "column", "code", "message"] as const;
type ReportLine = [line: number, status: "create" | "update" | "skip" | "duplicate" | "invalid", column: string, code: string, message: string];

async function write(report: Stringifier, line: ReportLine) {
  if (!report.write(line)) await once(report, "drain");
}

/**
 * What an import of this file would do, without writing anything: streams the whole file, checks
 * every row and asks the database which contacts exist (one lookup per 500 rows). With `report`,
 * every row's outcome is written to it as CSV records (one record per issue for an invalid row).
 */
async function analyse(orgId: ObjectId, source: Readable, config: ImportConfig, report?: Stringifier): Promise<DryRunSummary> {
  const s: DryRunSummary = { rows: 0, valid: 0, invalid: 0, duplicatesInFile: 0, existing: 0, wouldCreate: 0, wouldUpdate: 0, wouldSkip: 0, issues: [] };
  const skipExisting = config.options.onExisting === "skip";
  const definitions = await listCustomFields(orgId);
  for await (const raw of classifiedBatches(source, config, { definitions })) {
    const batch = await withoutErased(orgId, raw);
    const valid = batch.rows.flatMap((r) => (r.kind === "valid" ? [r.row] : []));
    const existing = await findExistingKeys(orgId, valid);
    for (const r of batch.rows) {
      s.rows++;
      if (r.kind === "invalid") {
        s.invalid++;
        for (const issue of r.issues) {
          if (s.issues.length < MAX_SUMMARY_ISSUES) s.issues.push(issue);
          if (report) await write(report, [r.line, "invalid", issue.column ?? "", issue.code, issue.message]);
        }
        continue;
      }
      s.valid++;
      if (r.kind === "duplicate") {
        s.duplicatesInFile++;
        s.wouldSkip++;
        if (report) await write(report, [r.line, "duplicate", r.column, "duplicate", `Same contact (${r.identityKey}) as line ${r.firstLine}; the first row is imported`]);
        continue;
      }
      const exists = existing.has(r.row.identityKey);
      const status = !exists ? "create" : skipExisting ? "skip" : "update";
      if (exists) s.existing++;
      if (status === "create") s.wouldCreate++;
      else if (status === "update") s.wouldUpdate++;
      else s.wouldSkip++;
      if (report) await write(report, [r.line, status, "", "", ""]);
    }
  }
  return s;
}

export function dryRun(orgId: ObjectId, source: Readable, config: ImportConfig): Promise<DryRunSummary> {
  return analyse(orgId, source, config);
}

/**
 * The dry run with its full per-row report: `csv` streams the report (header line first) while the
 * file is analysed, so it must be consumed (e.g. as a download's body) for `summary` to settle.
 */
export function dryRunReport(orgId: ObjectId, source: Readable, config: ImportConfig): { csv: Readable; summary: Promise<DryRunSummary> } {
  const csv = stringify({ header: true, columns: [...REPORT_COLUMNS] });
  const summary = analyse(orgId, source, config, csv).then(
    (s) => {
      csv.end();
      return s;
    },
    (err: unknown) => {
      csv.destroy(err instanceof Error ? err : new Error(String(err)));
      throw err;
    },
  );
  // The caller may only read `csv`; its error event reports the failure, the promise must not be unhandled.
  summary.catch(() => {});
  return { csv, summary };
}
