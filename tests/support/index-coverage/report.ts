import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { IndexDescription } from "mongodb";
import type { CommandRecord, FilterShape, QueryShape } from "@/lib/db/command-log";
import { canonical, checkShape, collectionIndexes, toDeclared, type Rules, type Verdict } from "./esr";
import { isVitestLog, logSource } from "./files";

/**
 * The index-coverage check over a run's command logs (INDEX_COVERAGE_DIR): every distinct query
 * shape is checked once (esr.ts); the run fails on any uncovered one. Declared indexes that no
 * recorded query used are reported, not failed (unique ones are kept for their constraint and not
 * listed).
 */
export type ShapeResult = { coll: string; cmd: string; shape: QueryShape; tags: string[]; count: number; sources: Set<string>; verdict: Verdict };
export type CoverageReport = { commands: number; logs: number; unreadable: number; shapes: ShapeResult[]; unused: { coll: string; index: string }[] };
type Declared = Partial<Record<string, IndexDescription[]>>;

function logFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isFile() && e.name.endsWith(".jsonl")).map((e) => path.join(e.parentPath, e.name));
}

export function coverageReport(dir: string, declared: Declared, rules: Rules): CoverageReport {
  const files = logFiles(dir);
  const groups = new Map<string, ShapeResult>();
  let commands = 0;
  let unreadable = 0;
  for (const file of files) {
    const source = logSource(dir, file);
    // A Vitest log also holds the test's own queries (fixtures, assertions): only what the app sent
    // while serving a request or running a job (`scope`, lib/db/command-log.ts) is the app's.
    const appOnly = isVitestLog(dir, file);
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (!line) continue;
      let record: CommandRecord;
      try {
        record = JSON.parse(line);
      } catch {
        unreadable++;
        continue;
      }
      commands++;
      if (appOnly && !record.scope) continue;
      // Tags after the scope's first part (`route|segment`) name a kind of query, e.g. a segment's.
      const tags = record.scope?.split("|").slice(1) ?? [];
      for (const { coll: foreign, ...shape } of record.shapes ?? []) {
        const coll = foreign ?? record.coll!;
        const cmd = foreign ? `${record.cmd} $lookup` : record.cmd;
        const key = `${coll} ${cmd} ${canonical(shape.filter)} ${JSON.stringify(Object.entries(shape.sort ?? {}))} ${shape.limit ? "limited" : ""} ${tags.join("|")}`;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { coll, cmd, shape, tags, count: 0, sources: new Set(), verdict: { status: "covered", indexes: [] } }));
        group.count++;
        group.sources.add(source);
      }
    }
  }
  const used = new Set<string>();
  const shapes = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, group]) => group);
  for (const group of shapes) {
    group.verdict = checkShape(collectionIndexes(declared, group.coll), group.coll, group.cmd, group.shape, rules);
    const scope = rules.deliberateScopes?.find((d) => d.coll === group.coll && group.tags.includes(d.tag));
    // Only within one tenant: a tagged query without its orgId equality is still a collection scan.
    if (group.verdict.status === "uncovered" && scope && tenantBounded(group.shape.filter)) group.verdict = { status: "allowed", reason: `${scope.tag}: ${scope.reason}` };
    if (group.verdict.status === "covered") for (const name of group.verdict.indexes) used.add(`${group.coll}.${name}`);
  }
  const unused = Object.entries(declared).flatMap(([coll, specs]) =>
    (specs ?? [])
      .map(toDeclared)
      .filter((ix) => !ix.unique && !used.has(`${coll}.${ix.name}`))
      .map((ix) => ({ coll, index: `${ix.name} (${ix.keys.map((k) => (k.dir === 1 ? k.field : `${k.field} -1`)).join(", ")})` })),
  );
  return { commands, logs: files.length, unreadable, shapes, unused };
}

/** `orgId` by equality, at the top or in a top-level `$and` (an aggregation's consecutive `$match` stages). */
function tenantBounded(filter: FilterShape): boolean {
  if (filter.orgId === "eq") return true;
  const and = filter.$and;
  return Array.isArray(and) && and.some((f) => f.orgId === "eq");
}

function shapeText(s: ShapeResult): string {
  return `${s.cmd} ${JSON.stringify(s.shape)}`;
}

function sourcesText(sources: Set<string>): string {
  const list = [...sources].sort();
  return list.length > 3 ? `${list.slice(0, 3).join(", ")} and ${list.length - 3} more` : list.join(", ");
}

export function formatReport(r: CoverageReport): string {
  const uncovered = r.shapes.filter((s) => s.verdict.status === "uncovered");
  const allowed = r.shapes.filter((s) => s.verdict.status === "allowed");
  const out = [
    `Index coverage: ${r.commands} commands in ${r.logs} logs${r.unreadable ? ` (${r.unreadable} unreadable lines skipped)` : ""}; ` +
      `${r.shapes.length} query shapes: ${r.shapes.length - uncovered.length - allowed.length} covered, ${allowed.length} deliberate scans, ${uncovered.length} uncovered.`,
  ];
  if (r.commands === 0) out.push("No command was recorded: the recording is broken (DB_COMMAND_LOG / INDEX_COVERAGE_DIR), so nothing was checked.");
  if (uncovered.length) {
    out.push("", "UNCOVERED query shapes (no index in lib/db/indexes.ts serves them by the ESR rule, tests/support/index-coverage/esr.ts):");
    let coll = "";
    for (const s of uncovered) {
      if (s.coll !== coll) out.push(`  ${(coll = s.coll)}`);
      const v = s.verdict as Extract<Verdict, { status: "uncovered" }>;
      out.push(`    ${shapeText(s)}  x${s.count}`, `      why: ${v.reason}`);
      if (v.suggestion) out.push(`      an ESR index: ${JSON.stringify(v.suggestion)}`);
      out.push(`      from: ${sourcesText(s.sources)}`);
    }
  }
  if (allowed.length) {
    out.push("", "Deliberate scans (tests/support/index-coverage/allow-list.ts):");
    for (const s of allowed) out.push(`  ${s.coll} ${shapeText(s)}  x${s.count}: ${(s.verdict as { reason: string }).reason}`);
  }
  if (r.unused.length) {
    out.push("", "Declared indexes no recorded query used (reported, not failed):");
    for (const u of r.unused) out.push(`  ${u.coll}.${u.index}`);
  }
  return out.join("\n");
}

/** The check as `npm test` runs it: the report's text, and whether the run passes it. */
export function runIndexCoverageCheck(dir: string, declared: Declared, rules: Rules): { ok: boolean; text: string } {
  const report = coverageReport(dir, declared, rules);
  const ok = report.commands > 0 && report.shapes.every((s) => s.verdict.status !== "uncovered");
  return { ok, text: formatReport(report) };
}
