import type { IndexDescription } from "mongodb";
import type { FilterShape, QueryShape, SortShape } from "@/lib/db/command-log";

/**
 * Does a declared index serve a recorded query shape (lib/db/command-log.ts)? On Atlas this is what
 * keeps documents examined close to documents returned; no local engine uses indexes, so it is
 * decided here from the shapes alone. The rule, in order:
 *
 * 1. Deliberate scans (allow-list.ts: exact shape and a reason) are allowed.
 * 2. A point lookup is covered: `_id` by equality or `$in`, or equality on every key of a unique
 *    index (at most one document per value). Its other predicates do not matter.
 * 3. A count with no filter is covered (collection metadata); so is a query with no filter, no
 *    sort and a limit (it reads the first documents).
 * 4. Otherwise some index must serve it by the ESR rule. Fields are classified: equality ("eq",
 *    "null" (null or missing), `$all`, `$in` with at most 200 values); range ($gt/$gte/$lt/$lte,
 *    $ne, $nin, $not, $exists, regex, $type, a longer $in); opaque ($expr, $where, $size, $mod,
 *    $nor, geo, ...: no index bound serves them). The index must start with every equality field
 *    (any order), continue with the sort fields in order (all in the sort's directions or all
 *    reversed; sort fields fixed by an equality are skipped), and then hold every range field that
 *    is not a sort field (any order) right after. Extra trailing index keys are fine.
 *    Residuals, predicates the index does not hold, are filtered document by document, so they
 *    are accepted only where the index has already narrowed the query to one entity's documents:
 *    4b. when no index serves the whole shape, an index whose leading keys are equality fields of
 *    the query, at least one of them more specific than the tenant key `orgId` (a conversation's
 *    messages, an entity's audit entries, one status), and whose next keys serve the sort, covers
 *    it with the remaining predicates as residuals. What it examines is bounded by that entity,
 *    never by the organization. Fields allow-list.ts names for a collection (a predicate nearly
 *    every document passes) may also be left out of any index. A query whose whole filter is
 *    such residuals and has no sort is a collection scan.
 * 5. `$or`: a keyset cursor (`$or: [{a: {$lt}}, {a: eq, _id: {$lt}}]`: every branch constrains
 *    only sort fields) is a range on those fields. Any other `$or` must be served branch by
 *    branch (each branch with the rest of the filter and the sort), as the planner does.
 *
 * Every collection also has the `_id_` index; GridFS buckets (`<bucket>.files`, `.chunks`) have
 * the indexes the driver creates for them.
 */
export type IndexKey = { field: string; dir: 1 | -1 };
export type DeclaredIndex = { name: string; keys: IndexKey[]; unique: boolean };

export type ResidualField = { coll: string; field: string; reason: string };
export type DeliberateScan = { coll: string; filter: FilterShape; sort?: SortShape; reason: string };
/** Any shape sent under a command-scope tag (`route|segment`) on a collection, bounded by the tenant: allowed, with a reason. */
export type DeliberateScope = { coll: string; tag: string; reason: string };
export type Rules = { residualFields: readonly ResidualField[]; deliberateScans: readonly DeliberateScan[]; deliberateScopes?: readonly DeliberateScope[] };

export type Verdict =
  | { status: "covered"; indexes: string[] }
  | { status: "allowed"; reason: string }
  | { status: "uncovered"; reason: string; suggestion?: SortShape };

/** How many `$in` values still count as equality: MongoDB merges up to 200 sorted index scans (internalQueryMaxScansToExplode). */
export const IN_AS_EQUALITY_MAX = 200;
const MAX_BRANCHES = 64;
const ID_INDEX: DeclaredIndex = { name: "_id_", keys: [{ field: "_id", dir: 1 }], unique: true };

export function toDeclared(spec: IndexDescription): DeclaredIndex {
  const entries = spec.key instanceof Map ? [...spec.key.entries()] : Object.entries(spec.key);
  return {
    name: spec.name ?? entries.map(([f, d]) => `${f}_${d}`).join("_"),
    keys: entries.map(([field, dir]) => ({ field, dir: dir === -1 ? -1 : 1 })),
    unique: !!spec.unique,
  };
}

/** The indexes a collection has: `_id_`, the declared ones, and GridFS's own for a bucket's collections. */
export function collectionIndexes(declared: Partial<Record<string, IndexDescription[]>>, coll: string): DeclaredIndex[] {
  const specs = declared[coll] ?? [];
  const gridfs: DeclaredIndex[] = coll.endsWith(".files")
    ? [{ name: "filename_1_uploadDate_1", keys: [{ field: "filename", dir: 1 }, { field: "uploadDate", dir: 1 }], unique: false }]
    : coll.endsWith(".chunks")
      ? [{ name: "files_id_1_n_1", keys: [{ field: "files_id", dir: 1 }, { field: "n", dir: 1 }], unique: true }]
      : [];
  return [ID_INDEX, ...specs.map(toDeclared), ...gridfs];
}

type Kind = "eq" | "range" | "opaque";
const RANGE_KINDS = new Set(["range", "ne", "nin", "not", "exists", "regex", "type"]);

function classify(kinds: string[]): Kind {
  let best: Kind = "opaque";
  for (const k of kinds.flatMap((s) => s.split("+"))) {
    const inCount = k.startsWith("in:") ? Number(k.slice(3)) : undefined;
    if (k === "eq" || k === "null" || k === "all" || (inCount !== undefined && inCount <= IN_AS_EQUALITY_MAX)) return "eq";
    if (RANGE_KINDS.has(k) || inCount !== undefined) best = "range";
  }
  return best;
}

/** One conjunction: each field with the kinds recorded for it. */
type Conj = Map<string, string[]>;

function add(conj: Conj, field: string, kind: string) {
  conj.set(field, [...(conj.get(field) ?? []), kind]);
}

function merge(a: Conj, b: Conj): Conj {
  const out = new Map(a);
  for (const [f, kinds] of b) out.set(f, [...(out.get(f) ?? []), ...kinds]);
  return out;
}

class TooManyBranches extends Error {}

/** The filter as the conjunctions the planner serves separately (the `$or` branches), cursor `$or`s folded into ranges. */
function expand(filter: FilterShape, sortFields: Set<string>): Conj[] {
  const base: Conj = new Map();
  const groups: FilterShape[][] = [];
  const collect = (f: FilterShape) => {
    for (const [key, value] of Object.entries(f)) {
      if (key === "$and" && Array.isArray(value)) value.forEach(collect);
      else if (key === "$or" && Array.isArray(value)) groups.push(value);
      else if (key === "$nor") add(base, key, "nor");
      else if (typeof value === "string") add(base, key, value);
    }
  };
  collect(filter);
  let result = [base];
  for (const group of groups) {
    const alternatives = group.flatMap((branch) => expand(branch, sortFields));
    if (sortFields.size && alternatives.every((alt) => [...alt.keys()].every((f) => sortFields.has(f)))) {
      const fields = new Set(alternatives.flatMap((alt) => [...alt.keys()]));
      for (const conj of result) for (const f of fields) add(conj, f, "range");
      continue;
    }
    result = result.flatMap((conj) => alternatives.map((alt) => merge(conj, alt)));
    if (result.length > MAX_BRANCHES) throw new TooManyBranches();
  }
  return result;
}

type Attempt = { ok: true; score: number; width: number } | { ok: false; progress: number; reason: string };

function describeIndex(index: DeclaredIndex): string {
  return `${index.name} (${index.keys.map((k) => (k.dir === 1 ? k.field : `${k.field} -1`)).join(", ")})`;
}

function tryIndex(index: DeclaredIndex, eq: Set<string>, requiredEq: string[], sort: [string, 1 | -1][], ranges: string[]): Attempt {
  const keys = index.keys;
  let p = 0;
  while (p < keys.length && eq.has(keys[p]!.field)) p++;
  const leading = new Set(keys.slice(0, p).map((k) => k.field));
  const missing = requiredEq.filter((f) => !leading.has(f));
  if (missing.length) {
    // For naming the closest index: one that serves the sort but lacks an equality key ranks just below one that fails later.
    let served = 0;
    while (served < sort.length && keys[p + served]?.field === sort[served]![0]) served++;
    return { ok: false, progress: p + served - 0.5, reason: `equality field${missing.length > 1 ? "s" : ""} ${missing.join(", ")} not among its leading keys` };
  }
  let i = p;
  let direction = 0;
  for (const [field, dir] of sort) {
    const key = keys[i];
    if (!key || key.field !== field) {
      return { ok: false, progress: i, reason: `sort field ${field} is not its next key after ${keys.slice(0, i).map((k) => k.field).join(", ") || "nothing"}` };
    }
    const relative = key.dir * dir;
    if (direction && relative !== direction) return { ok: false, progress: i, reason: `sort directions do not all match (or all reverse) its key directions` };
    direction = relative;
    i++;
  }
  const next = new Set(keys.slice(i, i + ranges.length).map((k) => k.field));
  const outside = ranges.filter((f) => !next.has(f));
  if (outside.length) return { ok: false, progress: i, reason: `range field${outside.length > 1 ? "s" : ""} ${outside.join(", ")} not right after its ${sort.length ? "sort" : "equality"} keys` };
  return { ok: true, score: i + ranges.length, width: keys.length };
}

/** Rule 4b: leading equality keys narrower than the tenant, then the sort; the rest filtered as residuals. */
function servesNarrowed(index: DeclaredIndex, eq: Set<string>, sort: [string, 1 | -1][]): boolean {
  const keys = index.keys;
  let p = 0;
  while (p < keys.length && eq.has(keys[p]!.field)) p++;
  if (p === 0 || keys.slice(0, p).every((k) => k.field === "orgId")) return false;
  let direction = 0;
  for (const [i, [field, dir]] of sort.entries()) {
    const key = keys[p + i];
    if (!key || key.field !== field) return false;
    const relative = key.dir * dir;
    if (direction && relative !== direction) return false;
    direction = relative;
  }
  return true;
}

function checkConj(indexes: DeclaredIndex[], conj: Conj, shape: QueryShape, residual: Set<string>): Verdict {
  const eq = new Set<string>();
  const ranges: string[] = [];
  const opaque: string[] = [];
  for (const [field, kinds] of conj) {
    const kind = classify(kinds);
    if (kind === "eq") eq.add(field);
    else if (!residual.has(field)) (kind === "range" ? ranges : opaque).push(field);
  }
  // Every value of an `$in` on a unique key is one point, however many there are.
  const point = (field: string) => (conj.get(field) ?? []).some((k) => k.split("+").some((x) => x === "eq" || x === "null" || x.startsWith("in:")));
  const unique = indexes.find((ix) => ix.unique && ix.keys.every((k) => point(k.field)));
  if (unique) return { status: "covered", indexes: [unique.name] };

  const requiredEq = [...eq].filter((f) => !residual.has(f));
  const sort = Object.entries(shape.sort ?? {}).filter(([f]) => !eq.has(f));
  const sortFields = new Set(sort.map(([f]) => f));
  const rangeOnly = ranges.filter((f) => !sortFields.has(f));
  const suggestion = (): SortShape => {
    const ordered = [...requiredEq.filter((f) => f === "orgId"), ...requiredEq.filter((f) => f !== "orgId")];
    return Object.fromEntries([...ordered.map((f) => [f, 1]), ...sort, ...rangeOnly.map((f) => [f, 1])]);
  };
  if (opaque.length) return { status: "uncovered", reason: `${opaque.join(", ")}: no index bound serves this predicate` };
  if (!requiredEq.length && !sort.length && !rangeOnly.length) {
    if (shape.limit) return { status: "covered", indexes: [] };
    return { status: "uncovered", reason: "nothing an index could narrow: a collection scan" };
  }

  let best: { index: DeclaredIndex; score: number; width: number } | undefined;
  let closest: { index: DeclaredIndex; progress: number; reason: string } | undefined;
  for (const index of indexes) {
    const attempt = tryIndex(index, eq, requiredEq, sort, rangeOnly);
    if (attempt.ok) {
      if (!best || attempt.score > best.score || (attempt.score === best.score && attempt.width < best.width)) best = { index, ...attempt };
    } else if (!closest || attempt.progress > closest.progress) {
      closest = { index, progress: attempt.progress, reason: attempt.reason };
    }
  }
  if (best) return { status: "covered", indexes: [best.index.name] };
  const narrowed = indexes.find((index) => servesNarrowed(index, eq, sort));
  if (narrowed) return { status: "covered", indexes: [narrowed.name] };
  const reason = closest && closest.progress > 0 ? `closest index ${describeIndex(closest.index)}: ${closest.reason}` : "no index starts with its equality fields";
  return { status: "uncovered", reason, suggestion: suggestion() };
}

/** Canonical JSON of a filter (object keys sorted; `$or` branch order kept), for matching and grouping shapes. */
export function canonical(filter: FilterShape): string {
  const walk = (f: FilterShape): unknown =>
    Object.fromEntries(
      Object.keys(f)
        .sort()
        .map((k) => {
          const v = f[k]!;
          return [k, Array.isArray(v) ? v.map(walk) : v];
        }),
    );
  return JSON.stringify(walk(filter));
}

function sameSort(a: SortShape | undefined, b: SortShape | undefined): boolean {
  return JSON.stringify(Object.entries(a ?? {})) === JSON.stringify(Object.entries(b ?? {}));
}

export function checkShape(indexes: DeclaredIndex[], coll: string, cmd: string, shape: QueryShape, rules: Rules): Verdict {
  const scan = rules.deliberateScans.find((s) => s.coll === coll && canonical(s.filter) === canonical(shape.filter) && sameSort(s.sort, shape.sort));
  if (scan) return { status: "allowed", reason: scan.reason };
  if (cmd === "count" && Object.keys(shape.filter).length === 0) return { status: "covered", indexes: [] };

  const residual = new Set(rules.residualFields.filter((r) => r.coll === coll).map((r) => r.field));
  let branches: Conj[];
  try {
    branches = expand(shape.filter, new Set(Object.keys(shape.sort ?? {})));
  } catch (err) {
    if (err instanceof TooManyBranches) return { status: "uncovered", reason: `more than ${MAX_BRANCHES} $or branches` };
    throw err;
  }
  const used = new Set<string>();
  for (const [i, conj] of branches.entries()) {
    const verdict = checkConj(indexes, conj, shape, residual);
    if (verdict.status === "uncovered") {
      if (branches.length === 1) return verdict;
      const fields = [...conj.keys()].join(", ");
      return { ...verdict, reason: `$or branch ${i + 1} of ${branches.length} (${fields}): ${verdict.reason}` };
    }
    if (verdict.status === "covered") verdict.indexes.forEach((n) => used.add(n));
  }
  return { status: "covered", indexes: [...used] };
}
