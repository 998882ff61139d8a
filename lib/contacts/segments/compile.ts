import { ObjectId, type Filter } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { toE164 } from "@/lib/phone";
import { CUSTOM_FIELD_KEY, type ContactDoc } from "@/lib/schemas/contact";
import {
  CUSTOM_FIELD_PREFIX,
  MAX_DEPTH,
  operatorsByType,
  segmentFields,
  type SegmentCondition,
  type SegmentFieldType,
  type SegmentGroup,
} from "@/lib/schemas/segment";

/**
 * The one segment compiler: a definition (AND/OR groups of conditions) becomes ONE MongoDB filter
 * on `contacts`, run through `scoped(orgId)` so the tenant is always the first equality. Every
 * audience (a contacts filter, a saved segment, a campaign, an automation) is selected through it.
 *
 * A definition is checked as it is compiled: an unknown field, an operator the field's type does
 * not take, or a value of the wrong shape is refused with the condition's place and field named,
 * so a bad segment never runs as a different query than the one the person built.
 */
const DAY_MS = 24 * 60 * 60 * 1000;

type Field = { path: string; type: SegmentFieldType; values?: readonly string[]; label: string };

/**
 * Fields beyond the contact's, for callers that evaluate a definition against more than a contact
 * (an automation's event facts): each named field's path, and a hook for conditions that compile to
 * something else entirely (membership of a saved segment is that segment's own filter).
 */
export type CompileExtension = {
  fields: Record<string, Field>;
  special?: (c: SegmentCondition, where: string) => Filter<ContactDoc> | null;
};

function fieldOf(name: string, where: string, ext?: CompileExtension): Field {
  const extra = ext?.fields[name];
  if (extra) return extra;
  if (name.startsWith(CUSTOM_FIELD_PREFIX)) {
    const key = name.slice(CUSTOM_FIELD_PREFIX.length);
    if (!CUSTOM_FIELD_KEY.test(key)) throw invalid(where, `"${name}" is not a valid custom field name`);
    return { path: name, type: "text", label: key };
  }
  const known = (segmentFields as Record<string, { label: string; type: SegmentFieldType; values?: readonly string[] }>)[name];
  if (!known) throw invalid(where, `unknown field "${name}"`);
  return { path: name, ...known };
}

export function invalid(where: string, message: string) {
  return new ApiError("unprocessable_entity", `${where}: ${message}`);
}

/** Literal text inside a regular expression. */
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function text(c: SegmentCondition, where: string): string {
  if (typeof c.value !== "string" || c.value.trim() === "") throw invalid(where, `${c.op} needs a text value`);
  return c.value.trim();
}

function texts(c: SegmentCondition, where: string): string[] {
  if (!Array.isArray(c.value) || c.value.length === 0) throw invalid(where, `${c.op} needs a list of values`);
  return c.value.map((v) => v.trim()).filter(Boolean);
}

function days(c: SegmentCondition, where: string): number {
  const n = typeof c.value === "string" ? Number(c.value) : c.value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 36_500) throw invalid(where, `${c.op} needs a whole number of days`);
  return n;
}

/** An ISO date or date-time; a bare day (2026-01-31) means that day in UTC. */
function date(v: unknown, where: string, op: string): Date {
  const d = typeof v === "string" && /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) ? new Date(v) : null;
  if (!d || Number.isNaN(d.getTime())) throw invalid(where, `${op} needs a date like 2026-01-31`);
  return d;
}
const isDay = (v: unknown) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v);
const endOf = (v: string, d: Date) => (isDay(v) ? new Date(d.getTime() + DAY_MS) : d);

/** Values as stored: emails lowercased, phones in E.164, tags lowercased. */
function stored(field: Field, value: string): string {
  if (field.path === "email" || field.type === "tags") return value.toLowerCase();
  if (field.path === "phone") return toE164(value) ?? value;
  return value;
}

function compileText(f: Field, c: SegmentCondition, where: string): Filter<ContactDoc> {
  const exactPaths = ["phone", "email"];
  switch (c.op) {
    case "is":
    case "is_not": {
      const v = stored(f, text(c, where));
      // Names and companies are typed by people: "acme" finds "Acme". Phones and emails are stored normalised.
      const match = exactPaths.includes(f.path) ? v : { $regex: `^${escapeRegex(v)}$`, $options: "i" };
      if (c.op === "is") return { [f.path]: match };
      return { [f.path]: exactPaths.includes(f.path) ? { $ne: v } : { $not: new RegExp(`^${escapeRegex(v)}$`, "i") } };
    }
    case "contains":
      return { [f.path]: { $regex: escapeRegex(text(c, where)), $options: "i" } };
    case "starts_with":
      return { [f.path]: { $regex: `^${escapeRegex(f.path === "phone" ? text(c, where).replace(/[\s()-]/g, "") : text(c, where))}`, $options: "i" } };
    case "is_any_of":
      return { [f.path]: { $in: texts(c, where).map((v) => stored(f, v)) } };
    case "is_none_of":
      return { [f.path]: { $nin: texts(c, where).map((v) => stored(f, v)) } };
    case "is_set":
      return { [f.path]: { $nin: [null, ""] } };
    case "is_not_set":
      return { [f.path]: { $in: [null, ""] } };
  }
  throw invalid(where, `${f.label} does not take "${c.op}"`);
}

function compileTags(f: Field, c: SegmentCondition, where: string): Filter<ContactDoc> {
  switch (c.op) {
    case "has_any":
      return { [f.path]: { $in: texts(c, where).map((v) => stored(f, v)) } };
    case "has_all":
      return { [f.path]: { $all: texts(c, where).map((v) => stored(f, v)) } };
    case "has_none":
      return { [f.path]: { $nin: texts(c, where).map((v) => stored(f, v)) } };
    case "is_set":
      return { [`${f.path}.0`]: { $exists: true } };
    case "is_not_set":
      return { [`${f.path}.0`]: { $exists: false } };
  }
  throw invalid(where, `${f.label} does not take "${c.op}"`);
}

function ids(c: SegmentCondition, where: string, what: string): ObjectId[] {
  return texts(c, where).map((v) => {
    if (!/^[a-f0-9]{24}$/i.test(v)) throw invalid(where, `"${v}" is not a ${what} id`);
    return new ObjectId(v);
  });
}

function compileUser(f: Field, c: SegmentCondition, where: string): Filter<ContactDoc> {
  switch (c.op) {
    case "is_any_of":
      return { [f.path]: { $in: ids(c, where, "user") } };
    case "is_none_of":
      return { [f.path]: { $nin: ids(c, where, "user") } };
    case "is_set":
      return { [f.path]: { $ne: null } };
    case "is_not_set":
      return { [f.path]: null };
  }
  throw invalid(where, `${f.label} does not take "${c.op}"`);
}

function compileLists(f: Field, c: SegmentCondition, where: string): Filter<ContactDoc> {
  const listIds = ids(c, where, "list");
  if (c.op === "has_any") return { [f.path]: { $in: listIds } };
  if (c.op === "has_none") return { [f.path]: { $nin: listIds } };
  throw invalid(where, `${f.label} does not take "${c.op}"`);
}

function compileEnum(f: Field, c: SegmentCondition, where: string): Filter<ContactDoc> {
  const known = (v: string) => {
    if (!f.values!.includes(v)) throw invalid(where, `${f.label} is one of ${f.values!.join(", ")}, not "${v}"`);
    return v;
  };
  switch (c.op) {
    case "is":
      return { [f.path]: known(text(c, where)) };
    case "is_not":
      return { [f.path]: { $ne: known(text(c, where)) } };
    case "is_any_of":
      return { [f.path]: { $in: texts(c, where).map(known) } };
    case "is_none_of":
      return { [f.path]: { $nin: texts(c, where).map(known) } };
  }
  throw invalid(where, `${f.label} does not take "${c.op}"`);
}

function compileDate(f: Field, c: SegmentCondition, where: string, now: Date): Filter<ContactDoc> {
  switch (c.op) {
    case "before":
      return { [f.path]: { $lt: date(c.value, where, c.op) } };
    case "after": {
      // "after 2026-01-31" starts on February 1st: the named day is not after itself.
      const d = date(c.value, where, c.op);
      return { [f.path]: { $gte: endOf(c.value as string, d) } };
    }
    case "between": {
      if (!Array.isArray(c.value) || c.value.length !== 2) throw invalid(where, "between needs two dates [from, to]");
      const [from, to] = [date(c.value[0], where, c.op), date(c.value[1], where, c.op)];
      if (from > to) throw invalid(where, "between needs the earlier date first");
      // Both days included.
      return { [f.path]: { $gte: from, $lt: endOf(c.value[1]!, to) } };
    }
    case "in_last_days":
      return { [f.path]: { $gte: new Date(now.getTime() - days(c, where) * DAY_MS) } };
    case "more_than_days_ago":
      return { [f.path]: { $lt: new Date(now.getTime() - days(c, where) * DAY_MS) } };
    case "is_set":
      return { [f.path]: { $ne: null } };
    case "is_not_set":
      return { [f.path]: null };
  }
  throw invalid(where, `${f.label} does not take "${c.op}"`);
}

function compileNumber(f: Field, c: SegmentCondition, where: string): Filter<ContactDoc> {
  if (c.op === "is_set") return { [f.path]: { $ne: null } };
  if (c.op === "is_not_set") return { [f.path]: null };
  const n = typeof c.value === "string" && c.value.trim() !== "" ? Number(c.value) : c.value;
  if (typeof n !== "number" || !Number.isFinite(n)) throw invalid(where, `${c.op.replace("_", " ")} needs a number`);
  if (c.op === "at_least") return { [f.path]: { $gte: n } };
  if (c.op === "at_most") return { [f.path]: { $lte: n } };
  throw invalid(where, `${f.label} does not take "${c.op}"`);
}

function compileCondition(c: SegmentCondition, where: string, now: Date, ext?: CompileExtension): Filter<ContactDoc> {
  const special = ext?.special?.(c, where);
  if (special) return special;
  const f = fieldOf(c.field, where, ext);
  if (!(operatorsByType[f.type] as readonly string[]).includes(c.op)) {
    throw invalid(where, `${f.label} does not take "${c.op}" (it takes ${operatorsByType[f.type].join(", ")})`);
  }
  switch (f.type) {
    case "text":
      return compileText(f, c, where);
    case "tags":
      return compileTags(f, c, where);
    case "lists":
      return compileLists(f, c, where);
    case "user":
      return compileUser(f, c, where);
    case "enum":
      return compileEnum(f, c, where);
    case "boolean":
      return c.op === "is_true" ? { [f.path]: true } : { [f.path]: { $ne: true } };
    case "date":
      return compileDate(f, c, where, now);
    case "number":
      return compileNumber(f, c, where);
  }
}

const isGroup = (x: SegmentCondition | SegmentGroup): x is SegmentGroup => "match" in x;

function compileGroup(g: SegmentGroup, where: string, depth: number, now: Date, ext?: CompileExtension): Filter<ContactDoc> {
  if (depth > MAX_DEPTH) throw invalid(where, `groups nest at most ${MAX_DEPTH} deep`);
  const parts = g.conditions.map((c, i) => {
    const at = `${where}.conditions[${i}]`;
    return isGroup(c) ? compileGroup(c, at, depth + 1, now, ext) : compileCondition(c, at, now, ext);
  });
  const constraining = parts.filter((p) => Object.keys(p).length > 0);
  // An empty group does not narrow anything: "all contacts".
  if (constraining.length === 0) return {};
  if (constraining.length === 1) return constraining[0]!;
  return g.match === "all" ? { $and: constraining } : { $or: constraining };
}

/** The definition as one filter (without `orgId`: `scoped(orgId)` adds it). `now` anchors relative dates. */
export function compileSegment(definition: SegmentGroup, now = new Date(), ext?: CompileExtension): Filter<ContactDoc> {
  return compileGroup(definition, "definition", 1, now, ext);
}
