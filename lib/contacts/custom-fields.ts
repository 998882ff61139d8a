import { ObjectId } from "mongodb";
import { ApiError, isDuplicateKeyError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import { toE164 } from "@/lib/phone";
import type { CustomFieldDefinitionDoc } from "@/lib/schemas/custom-field";

/**
 * Custom field definitions and the one validator every write path uses (the contact's PATCH, a
 * contact created by hand, an import). Values are kept as normalised text: a number in plain
 * decimal, a date as YYYY-MM-DD (so date strings compare in order), a boolean as "true"/"false", a
 * multi select as its options joined by ", ", a phone in E.164. A key without a definition stays
 * free text, as the inbox has always allowed.
 */
export async function listCustomFields(orgId: ObjectId): Promise<CustomFieldDefinitionDoc[]> {
  return scoped(orgId)("custom_field_definitions").find({}, { sort: { key: 1 }, limit: 200 }).toArray();
}

type Input = Pick<CustomFieldDefinitionDoc, "key" | "label" | "type" | "options" | "required" | "showInInbox">;

export async function createCustomField(orgId: ObjectId, actor: Actor, input: Input): Promise<CustomFieldDefinitionDoc> {
  const now = new Date();
  const doc: Omit<CustomFieldDefinitionDoc, "orgId"> = { _id: new ObjectId(), ...input, createdAt: now, updatedAt: now };
  try {
    await scoped(orgId)("custom_field_definitions").insertOne(doc);
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new ApiError("conflict", `A custom field with the key "${input.key}" already exists`);
    throw err;
  }
  await recordActivity(orgId, actor, { action: "custom_field.created", entityType: "settings", entityId: doc._id, after: { ...input } });
  return { ...doc, orgId };
}

/** The key never changes (contacts store values under it); label, type, options and flags do. */
export async function updateCustomField(orgId: ObjectId, actor: Actor, id: ObjectId, input: Omit<Input, "key">): Promise<CustomFieldDefinitionDoc> {
  const before = await scoped(orgId)("custom_field_definitions").findOneAndUpdate({ _id: id }, { $set: { ...input, updatedAt: new Date() } }, { returnDocument: "before" });
  if (!before) throw new ApiError("not_found", "Custom field not found");
  await recordActivity(orgId, actor, { action: "custom_field.updated", entityType: "settings", entityId: id, before: { label: before.label, type: before.type, options: before.options, required: before.required }, after: { ...input } });
  return { ...before, ...input };
}

/** Removes the definition; values already on contacts stay as free text. */
export async function deleteCustomField(orgId: ObjectId, actor: Actor, id: ObjectId): Promise<void> {
  const doc = await scoped(orgId)("custom_field_definitions").findOne({ _id: id });
  if (!doc) throw new ApiError("not_found", "Custom field not found");
  await scoped(orgId)("custom_field_definitions").deleteOne({ _id: id });
  await recordActivity(orgId, actor, { action: "custom_field.deleted", entityType: "settings", entityId: id, before: { key: doc.key, label: doc.label } });
}

const TRUE = new Set(["true", "yes", "y", "1", "ja", "sí", "si", "oui"]);
const FALSE = new Set(["false", "no", "n", "0", "nein", "non"]);

/** One value as the definition stores it, or why it is not one. Empty means "not set". */
export function normalizeCustomValue(def: Pick<CustomFieldDefinitionDoc, "label" | "type" | "options">, raw: string): { value: string } | { error: string } {
  const v = raw.trim();
  if (v === "") return { value: "" };
  switch (def.type) {
    case "text":
      return { value: v };
    case "number": {
      const n = Number(v.replace(/\s/g, "").replace(/,(?=\d{1,2}$)/, "."));
      return Number.isFinite(n) ? { value: String(n) } : { error: `${def.label}: "${v}" is not a number` };
    }
    case "date": {
      const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(v);
      const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
      return d && d.getUTCDate() === Number(m![3]) ? { value: d.toISOString().slice(0, 10) } : { error: `${def.label}: "${v}" is not a date like 2026-01-31` };
    }
    case "boolean": {
      const l = v.toLowerCase();
      return TRUE.has(l) ? { value: "true" } : FALSE.has(l) ? { value: "false" } : { error: `${def.label}: "${v}" is not yes or no` };
    }
    case "single_select": {
      const hit = def.options.find((o) => o.toLowerCase() === v.toLowerCase());
      return hit ? { value: hit } : { error: `${def.label}: "${v}" is not one of ${def.options.join(", ")}` };
    }
    case "multi_select": {
      const parts = v.split(/[,;]/).map((p) => p.trim()).filter(Boolean);
      const hits = parts.map((p) => def.options.find((o) => o.toLowerCase() === p.toLowerCase()));
      const bad = parts.find((_, i) => !hits[i]);
      return bad ? { error: `${def.label}: "${bad}" is not one of ${def.options.join(", ")}` } : { value: [...new Set(hits as string[])].join(", ") };
    }
    case "url": {
      try {
        const u = new URL(/^[a-z]+:\/\//i.test(v) ? v : `https://${v}`);
        return ["http:", "https:"].includes(u.protocol) && u.hostname.includes(".") ? { value: u.toString() } : { error: `${def.label}: "${v}" is not a web address` };
      } catch {
        return { error: `${def.label}: "${v}" is not a web address` };
      }
    }
    case "phone": {
      const e164 = toE164(v);
      return e164 ? { value: e164 } : { error: `${def.label}: "${v}" is not a phone number with its country code` };
    }
  }
}

/**
 * A contact's custom fields as they will be stored, checked against the definitions: each defined
 * key normalised by its type (a 422 naming the field otherwise), required ones present. Empty
 * values are dropped (a field is cleared by leaving it empty).
 */
export async function validateCustomFields(orgId: ObjectId, values: Record<string, string>): Promise<Record<string, string>> {
  const defs = await listCustomFields(orgId);
  const byKey = new Map(defs.map((d) => [d.key, d]));
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(values)) {
    const def = byKey.get(key);
    const result = def ? normalizeCustomValue(def, raw) : { value: raw.trim() };
    if ("error" in result) throw new ApiError("unprocessable_entity", `customFields.${result.error}`);
    if (result.value !== "") out[key] = result.value;
  }
  const missing = defs.find((d) => d.required && !(d.key in out));
  if (missing) throw new ApiError("unprocessable_entity", `customFields.${missing.label}: is required`);
  return out;
}
