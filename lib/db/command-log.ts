import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import type { Document, MongoClient } from "mongodb";

/**
 * The database command log: with `DB_COMMAND_LOG=/abs/path/file.jsonl` set, the client (client.ts)
 * monitors its commands and appends one JSON line per command it starts. The test suites feed it to
 * the index-coverage check (tests/support/index-coverage/); the benchmarks count database round
 * trips per request with it. Unset (production), commands are not monitored at all.
 *
 * Line format, one line per command started (getMore, killCursors, endSessions, listIndexes,
 * createIndexes... included: each is a round trip; the connection handshake is not a command here):
 *
 *   {"t":1735689600000,"cmd":"find","coll":"conversations","shapes":[{"filter":{"orgId":"eq","status":"in:2"},"sort":{"lastActivityAt":-1,"_id":-1},"limit":26}]}
 *
 * - `scope`: set when the command was sent while the app served a request or ran a job
 *   (`withCommandScope`: "route", "job:<name>"), absent for anything else (a test's own queries).
 * - `t`: epoch milliseconds when the command started. `cmd`: the wire command name (`find`,
 *   `aggregate`, `update`, `insert`, `getMore`, ...; countDocuments is an `aggregate`).
 * - `coll`: the collection the command names (getMore: its cursor's collection); absent for
 *   database commands (endSessions, ping, listCollections...).
 * - `shapes`: the queries the command runs, for the commands that query: find, count, distinct and
 *   aggregate (its leading `$match` stages, a `$sort` and `$limit` that directly follow, plus one shape
 *   per `$lookup`, on the foreign collection, with `coll` set and its foreignField as an equality),
 *   update and delete (one per distinct statement filter) and findAndModify (filter and sort).
 *   insert, getMore and the rest have none.
 * - a shape is `{filter, sort?, limit?}`. `filter` mirrors the query's structure with every value
 *   replaced by what an index can make of it: "eq" (a value, subdocument or array), "null" (null or
 *   missing), "in:<n>" ($in with n values), "all" ($all), "range" ($gt/$gte/$lt/$lte), "ne", "nin",
 *   "not", "exists", "regex", "type", or the operator's name for what no index bound serves
 *   ("expr", "where", "size", "mod", "text", "geo"...); several operators on one field are joined
 *   with "+" ("exists+ne"). `$and`, `$or` and `$nor` keep their arrays of sub-filters; `$elemMatch`
 *   sub-conditions become dotted fields. `sort` keeps its key order; `limit` is the number of
 *   documents the command stops at (findOne, countDocuments with a limit, updateOne, deleteOne: 1).
 *
 * Lines are written synchronously (`writeSync` on a file opened once per process in append mode:
 * nothing is lost when a process exits, and writers in several processes never interleave a line).
 * Cost: the driver decodes every reply a second time for its monitoring events, on top of this
 * module's few microseconds per command; measure app CPU without the log when it matters.
 */
export type FilterShape = { [field: string]: string | FilterShape[] };
export type SortShape = Record<string, 1 | -1>;
export type QueryShape = { coll?: string; filter: FilterShape; sort?: SortShape; limit?: number };
export type CommandRecord = { t: number; cmd: string; coll?: string; shapes?: QueryShape[]; scope?: string };

// One store per process, not per module copy: Next bundles this file into several server chunks, and
// the route wrapper, the job runner and the client's command listener must all see the same scope.
const globalForScope = globalThis as unknown as { __commandScope?: AsyncLocalStorage<string> };
const scope = (globalForScope.__commandScope ??= new AsyncLocalStorage<string>());

/**
 * Runs `fn` as work the app does on its own behalf (a request, a job), so that its commands carry
 * `scope` in the log. The test suites call product code and also query the database themselves to
 * check what it wrote; the index-coverage check reads only scoped commands of a Vitest log, so a
 * test's own assertions are not taken for the app's queries. Cheap enough to run always.
 */
export function withCommandScope<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return scope.run(name, fn);
}

/** The work the caller runs in ("route", "job:<name>"), if any. */
export const currentScope = (): string | undefined => scope.getStore();

// Connection set-up, not work a request asks for (the driver reports them only on some paths).
const HANDSHAKE = new Set(["hello", "isMaster", "ismaster", "saslStart", "saslContinue", "authenticate"]);
const RANGE_OPS = new Set(["$gt", "$gte", "$lt", "$lte"]);

function isRegex(value: unknown): boolean {
  return value instanceof RegExp || (typeof value === "object" && value !== null && (value as { _bsontype?: string })._bsontype === "BSONRegExp");
}

/** An object of `$` operators (not a BSON value, not a subdocument compared whole). */
function isOperatorObject(value: unknown): value is Document {
  if (typeof value !== "object" || value === null || Array.isArray(value) || isRegex(value)) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => k.startsWith("$"));
}

function valueKind(value: unknown): string {
  if (value === null || value === undefined) return "null";
  return isRegex(value) ? "regex" : "eq";
}

function operatorKind(op: string, arg: unknown): string | undefined {
  if (op === "$eq") return arg === null || arg === undefined ? "null" : "eq";
  if (op === "$in") return Array.isArray(arg) && arg.some(isRegex) ? "regex" : `in:${Array.isArray(arg) ? arg.length : 0}`;
  if (RANGE_OPS.has(op)) return "range";
  if (op === "$regex") return "regex";
  if (op === "$options" || op === "$comment") return undefined;
  if (op.startsWith("$geo") || op.startsWith("$near")) return "geo";
  if (op.startsWith("$bits")) return "bits";
  return op.slice(1);
}

function addKind(shape: FilterShape, field: string, kind: string) {
  const prev = shape[field];
  if (typeof prev !== "string") {
    shape[field] = kind;
    return;
  }
  const kinds = new Set([...prev.split("+"), ...kind.split("+")]);
  shape[field] = [...kinds].sort().join("+");
}

function addField(shape: FilterShape, field: string, value: unknown) {
  if (!isOperatorObject(value)) return addKind(shape, field, valueKind(value));
  for (const [op, arg] of Object.entries(value)) {
    if (op === "$elemMatch" && typeof arg === "object" && arg !== null) {
      if (isOperatorObject(arg)) addField(shape, field, arg);
      else for (const [sub, subValue] of Object.entries(arg as Document)) addField(shape, `${field}.${sub}`, subValue);
      continue;
    }
    const kind = operatorKind(op, arg);
    if (kind) addKind(shape, field, kind);
  }
}

/** A query filter with its values replaced by their kinds (see the header). */
export function filterShape(filter: Document | undefined | null): FilterShape {
  const shape: FilterShape = {};
  for (const [key, value] of Object.entries(filter ?? {})) {
    if (key === "$and" || key === "$or" || key === "$nor") {
      shape[key] = (Array.isArray(value) ? value : []).map((sub: Document) => filterShape(sub));
    } else if (key === "$comment") {
      continue;
    } else if (key.startsWith("$")) {
      shape[key] = key.slice(1);
    } else {
      addField(shape, key, value);
    }
  }
  return shape;
}

/** The driver sends sorts as Maps (find) or documents; `$meta` keys order by text score, which no index serves. */
export function sortShape(sort: unknown): SortShape | undefined {
  if (!sort || typeof sort !== "object") return undefined;
  const entries = sort instanceof Map ? [...sort.entries()] : Object.entries(sort);
  const shape: SortShape = {};
  for (const [field, dir] of entries) {
    if (dir === 1 || dir === -1) shape[field as string] = dir;
    else if (dir === "asc" || dir === "ascending") shape[field as string] = 1;
    else if (dir === "desc" || dir === "descending") shape[field as string] = -1;
  }
  return Object.keys(shape).length ? shape : undefined;
}

function query(filter: Document | undefined, sort?: unknown, limit?: unknown): QueryShape {
  const shape: QueryShape = { filter: filterShape(filter) };
  const s = sortShape(sort);
  if (s) shape.sort = s;
  if (typeof limit === "number" && limit > 0) shape.limit = limit;
  return shape;
}

/** The leading $match stages (merged), a $sort right after, and a $limit after that (past a $skip). */
function pipelineQuery(pipeline: Document[]): QueryShape {
  let i = 0;
  const matches: Document[] = [];
  for (let stage = pipeline[i]; stage?.$match; stage = pipeline[++i]) matches.push(stage.$match);
  const sort = pipeline[i]?.$sort;
  if (sort) i++;
  if (pipeline[i]?.$skip !== undefined) i++;
  const limit = pipeline[i]?.$limit;
  return query(matches.length === 1 ? matches[0] : matches.length ? { $and: matches } : {}, sort, limit);
}

function lookups(pipeline: Document[], out: QueryShape[]) {
  for (const stage of pipeline) {
    if (stage.$lookup?.from) {
      const { from, foreignField, pipeline: sub } = stage.$lookup as { from: string; foreignField?: string; pipeline?: Document[] };
      const inner = sub ? pipelineQuery(sub) : { filter: {} };
      if (foreignField) inner.filter = Object.keys(inner.filter).length ? { $and: [{ [foreignField]: "eq" }, inner.filter] } : { [foreignField]: "eq" };
      out.push({ coll: from, ...inner });
      if (sub) lookups(sub, out);
    }
    if (stage.$facet) for (const sub of Object.values(stage.$facet as Record<string, Document[]>)) lookups(sub, out);
  }
}

function distinctShapes(shapes: QueryShape[]): QueryShape[] {
  const seen = new Set<string>();
  return shapes.filter((s) => {
    const key = JSON.stringify(s);
    return !seen.has(key) && (seen.add(key), true);
  });
}

function shapesOf(cmd: string, command: Document): QueryShape[] | undefined {
  switch (cmd) {
    case "find":
      return [query(command.filter, command.sort, command.limit)];
    case "count":
      return [query(command.query, undefined, command.limit)];
    case "distinct":
      return [query(command.query)];
    case "aggregate": {
      const pipeline = (command.pipeline ?? []) as Document[];
      const shapes = [pipelineQuery(pipeline)];
      lookups(pipeline, shapes);
      return shapes;
    }
    case "findAndModify":
      return [query(command.query, command.sort, 1)];
    case "update":
      return distinctShapes(((command.updates ?? []) as Document[]).map((u) => query(u.q, undefined, u.multi ? undefined : 1)));
    case "delete":
      return distinctShapes(((command.deletes ?? []) as Document[]).map((d) => query(d.q, undefined, d.limit)));
    default:
      return undefined;
  }
}

/** One command as a log line (without `t`), or null for the connection handshake. */
export function describeCommand(cmd: string, command: Document): Omit<CommandRecord, "t"> | null {
  if (HANDSHAKE.has(cmd)) return null;
  const target = cmd === "getMore" ? command.collection : command[cmd];
  const record: Omit<CommandRecord, "t"> = { cmd };
  if (typeof target === "string") record.coll = target;
  // A database-level aggregate (`aggregate: 1`, e.g. $currentOp) reads no collection.
  const shapes = record.coll ? shapesOf(cmd, command) : undefined;
  if (shapes) record.shapes = shapes;
  return record;
}

const files = new Map<string, number>();

/** Appends every command the client starts to `file` (one JSON line each). The client needs `monitorCommands: true`. */
export function attachCommandLog(client: MongoClient, file: string) {
  const target = path.resolve(file);
  let fd = files.get(target);
  if (fd === undefined) {
    mkdirSync(path.dirname(target), { recursive: true });
    fd = openSync(target, "a");
    files.set(target, fd);
  }
  const out = fd;
  client.on("commandStarted", (event) => {
    const record = describeCommand(event.commandName, event.command);
    if (!record) return;
    const within = scope.getStore();
    writeSync(out, `${JSON.stringify({ t: Date.now(), ...record, ...(within ? { scope: within } : {}) })}\n`);
  });
}
