import { ObjectId, type Document, type Filter } from "mongodb";
import { emitLifecycle } from "@/lib/automation/emit";
import { ApiError, isDuplicateKeyError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import { toE164 } from "@/lib/phone";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { ContactListQuery, CreateContactBody } from "@/lib/schemas/contact-directory";
import type { SegmentGroup } from "@/lib/schemas/segment";
import { queryTokens } from "@/lib/search/tokens";
import { contactSearchTokens } from "./contact-fields";
import { validateCustomFields } from "./custom-fields";
import { asSegmentQuery, audienceFilter } from "./segments/run";
import { emitEvent } from "@/lib/outbound-webhooks/emit";
import { contactData } from "@/lib/outbound-webhooks/payloads";

/**
 * The contacts directory (`/contacts`): one keyset query per page. Sorts are (field, _id) pairs with
 * an index each; a search term narrows by the contact's search tokens (newest first); a filter is a
 * segment definition compiled by the one segment compiler.
 */
export const contactSorts = {
  newest: { field: "createdAt", dir: -1 },
  oldest: { field: "createdAt", dir: 1 },
  recent_activity: { field: "lastInboundAt", dir: -1 },
  name: { field: "name", dir: 1 },
  // The score copied onto the contact by the scoring batch (docs/scoring.md); unscored contacts last.
  lead_score: { field: "leadScore", dir: -1 },
} as const;
export type ContactSort = keyof typeof contactSorts;

type CursorValue = { v: string | number | null; t: "date" | "string" | "number" | "null"; id: string };

function encode(value: unknown, id: ObjectId): string {
  const c: CursorValue =
    value instanceof Date
      ? { v: value.toISOString(), t: "date", id: id.toHexString() }
      : typeof value === "string"
        ? { v: value, t: "string", id: id.toHexString() }
        : typeof value === "number"
          ? { v: value, t: "number", id: id.toHexString() }
          : { v: null, t: "null", id: id.toHexString() };
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

function decode(cursor: string): { value: Date | string | number | null; id: ObjectId } {
  try {
    const c = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as CursorValue;
    if (!ObjectId.isValid(c.id) || !["date", "string", "number", "null"].includes(c.t)) throw new Error("shape");
    if (c.t === "number" && typeof c.v !== "number") throw new Error("shape");
    return { value: c.t === "date" ? new Date(c.v as string) : c.t === "string" || c.t === "number" ? c.v : null, id: new ObjectId(c.id) };
  } catch {
    throw new ApiError("bad_request", "The cursor is not valid; start from the first page");
  }
}

/**
 * Rows after the cursor in (field dir, _id dir) order. Missing values (a contact with no name, no
 * message yet) sort lowest in MongoDB: last when descending, first when ascending, and a range on
 * a type never matches null, so each direction says where the nulls are.
 */
function after(field: string, dir: 1 | -1, cursor: string): Document {
  const { value, id } = decode(cursor);
  const idPast = dir === 1 ? { $gt: id } : { $lt: id };
  if (value === null) {
    // Among the nulls: descending they are the tail; ascending every non-null value still follows.
    return dir === -1 ? { [field]: null, _id: idPast } : { $or: [{ [field]: null, _id: idPast }, { [field]: { $ne: null } }] };
  }
  const past = dir === 1 ? { $gt: value } : { $lt: value };
  const branches: Document[] = [{ [field]: past }, { [field]: value, _id: idPast }];
  if (dir === -1) branches.push({ [field]: null });
  return { $or: branches };
}

export type ContactPage = { contacts: ContactDoc[]; nextCursor: string | null };

function baseFilter(q: string | undefined, definition: SegmentGroup | null): Filter<ContactDoc> {
  if (!q) return audienceFilter(definition);
  const tokens = queryTokens(q);
  if (tokens.length === 0) throw new ApiError("bad_request", "Type at least one letter or digit to search");
  return audienceFilter(definition, { searchTokens: { $all: tokens } });
}

/** One page of the directory: `limit + 1` rows read to know whether there is another. */
export async function listContacts(orgId: ObjectId, query: ContactListQuery): Promise<ContactPage> {
  // A search is ordered newest first: a relevance order of its own would need an index per sort.
  const { field, dir } = query.q ? contactSorts.newest : contactSorts[query.sort];
  const filter = baseFilter(query.q, query.definition);
  const paged = query.cursor ? { $and: [filter, after(field, dir, query.cursor)] } : filter;
  const run = () =>
    scoped(orgId)("contacts")
      .find(paged as Filter<ContactDoc>, { sort: { [field]: dir, _id: dir }, limit: query.limit + 1 })
      .toArray();
  const rows = query.definition ? await asSegmentQuery(run) : await run();
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > query.limit && last ? encode((last as Record<string, unknown>)[field] ?? null, last._id) : null;
  return { contacts: page, nextCursor };
}

/** How many contacts the search and filter match, counted up to `cap` (the header shows "10,000+"). */
export async function countContacts(orgId: ObjectId, query: Pick<ContactListQuery, "q" | "definition">, cap = 100_000): Promise<{ count: number; capped: boolean }> {
  const filter = baseFilter(query.q, query.definition);
  const run = () => scoped(orgId)("contacts").countDocuments(filter, { limit: cap + 1 });
  const n = query.definition ? await asSegmentQuery(run) : await run();
  return { count: Math.min(n, cap), capped: n > cap };
}

/** A contact created by hand: a phone (normalised to E.164 with the given country) or a business-scoped user id. */
export async function createContact(orgId: ObjectId, actor: Actor, body: CreateContactBody): Promise<ContactDoc> {
  let phone: string | null = null;
  if (body.phone) {
    phone = toE164(body.phone, body.defaultCountry ?? undefined);
    if (!phone) throw new ApiError("unprocessable_entity", `phone: "${body.phone}" is not a valid phone number${body.defaultCountry ? ` for ${body.defaultCountry}` : " (start it with + and the country code)"}`);
  }
  const bsuid = body.bsuid ?? null;
  const identityKey = phone ?? `bsuid:${bsuid}`;
  const now = new Date();
  const fields = { name: body.name ?? null, phone, username: null, email: body.email ?? null, company: body.company ?? null, identityKey };
  const doc: Omit<ContactDoc, "orgId"> = {
    _id: new ObjectId(),
    identityKey,
    phone,
    waId: phone ? phone.slice(1) : null,
    bsuid,
    username: null,
    name: fields.name,
    profileName: null,
    email: fields.email,
    company: fields.company,
    tags: body.tags ?? [],
    customFields: await validateCustomFields(orgId, body.customFields ?? {}),
    consent: { state: "unknown", marketing: false, changedAt: null, source: null },
    source: { kind: "manual", referral: null, at: now },
    lastInboundAt: null,
    searchTokens: contactSearchTokens(fields),
    createdAt: now,
    updatedAt: now,
  };
  try {
    await scoped(orgId)("contacts").insertOne(doc);
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new ApiError("conflict", `A contact with ${phone ? `the phone ${phone}` : `the user id ${bsuid}`} already exists`);
    throw err;
  }
  await recordActivity(orgId, actor, { action: "contact.created", entityType: "contact", entityId: doc._id, after: { identityKey, name: doc.name } });
  await emitLifecycle(orgId, "contact_created", { contactId: doc._id }, { source: "manual" }, now);
  await emitEvent(orgId, "contact.created", contactData(doc));
  return { ...doc, orgId };
}
