import { normalizeCustomValue } from "@/lib/contacts/custom-fields";
import type { CustomFieldDefinitionDoc } from "@/lib/schemas/custom-field";
import { z } from "zod";
import { toE164 } from "@/lib/phone";
import { consentValues, type ImportIssueCode, type ImportMapping, type ImportOptions } from "@/lib/schemas/contact-import";

/** What one valid row sets. Only non-empty values are present: an empty cell never blanks a field. */
export type NormalizedRow = {
  identityKey: string;
  fields: { name?: string; phone?: string; email?: string; company?: string; bsuid?: string };
  tags: string[];
  customFields: Record<string, string>;
  /** From the mapped consent column only; `at` null: no (or an empty) consent date, the import's start time is used. */
  consent?: { state: "opted_in" | "opted_out"; at: Date | null };
};

export type RowIssue = { column: string; code: Exclude<ImportIssueCode, "malformed_row">; message: string };

/** A row with any issue is not imported at all (a half-imported contact is harder to fix than a skipped row). */
export type NormalizeResult = { ok: true; row: NormalizedRow } | { ok: false; issues: RowIssue[] };

/** The same limits as editing a contact (updateContactBody). */
const MAX = { name: 100, company: 100, email: 254, bsuid: 128, custom: 500, tag: 40, tags: 30 } as const;

const email = z.email();
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Tags from a cell: split on "," or ";", trimmed, lowercased. */
export function splitTags(cell: string): string[] {
  return cell
    .split(/[,;]/)
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
}

/** An ISO 8601 date or date-time (a date alone is midnight UTC); null if it is not one or not a real day. */
export function parseIsoDate(value: string): Date | null {
  const m = ISO_DATE.exec(value);
  if (!m) return null;
  const [, y, mo, d] = m;
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCFullYear() !== Number(y) || day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) return null;
  if (m[4] === undefined) return day;
  // A time without a zone is read as UTC, not as the server's zone.
  const at = new Date(m[7] ? value.replace(" ", "T") : `${value.replace(" ", "T")}Z`);
  return Number.isNaN(at.getTime()) ? null : at;
}

const tooLong = (column: string, what: string, max: number): RowIssue => ({ column, code: "too_long", message: `${what} is longer than ${max} characters` });

/** One CSV row, through the mapping, to the contact fields it sets or the reasons it cannot be imported. */
export function normalizeRow(
  values: Record<string, string>,
  mapping: ImportMapping,
  options: ImportOptions,
  now = new Date(),
  /** The organization's custom field definitions: a defined field's value is checked and normalised by its type. */
  definitions: ReadonlyMap<string, Pick<CustomFieldDefinitionDoc, "label" | "type" | "options">> = new Map(),
): NormalizeResult {
  const issues: RowIssue[] = [];
  const row: NormalizedRow = { identityKey: "", fields: {}, tags: [], customFields: {} };
  const tags = new Set<string>();
  let identityColumn = "";
  let consentDate: { column: string; value: string } | null = null;

  for (const { column, target } of mapping) {
    const value = (values[column] ?? "").trim();
    if (target.kind === "field" && (target.field === "phone" || target.field === "bsuid")) identityColumn = column;
    if (!value || target.kind === "ignore") continue;
    switch (target.kind) {
      case "field":
        switch (target.field) {
          case "phone": {
            const phone = toE164(value, options.defaultCountry ?? undefined);
            if (phone) row.fields.phone = phone;
            else
              issues.push({
                column,
                code: "invalid_phone",
                message: options.defaultCountry
                  ? `Phone "${value}" is not a valid number for ${options.defaultCountry}`
                  : `Phone "${value}" is not a valid international number (start it with + and the country code, or choose a default country)`,
              });
            break;
          }
          case "bsuid":
            if (value.length > MAX.bsuid) issues.push(tooLong(column, "The WhatsApp user id", MAX.bsuid));
            else row.fields.bsuid = value;
            break;
          case "email": {
            const lower = value.toLowerCase();
            if (lower.length > MAX.email) issues.push(tooLong(column, "The email", MAX.email));
            else if (!email.safeParse(lower).success) issues.push({ column, code: "invalid_email", message: `Email "${value}" is not a valid email address` });
            else row.fields.email = lower;
            break;
          }
          case "name":
          case "company":
            if (value.length > MAX[target.field]) issues.push(tooLong(column, target.field === "name" ? "The name" : "The company", MAX[target.field]));
            else row.fields[target.field] = value;
            break;
          case "tags":
            for (const tag of splitTags(value)) {
              if (tag.length > MAX.tag) issues.push(tooLong(column, `Tag "${tag.slice(0, 20)}..."`, MAX.tag));
              else tags.add(tag);
            }
            break;
        }
        break;
      case "custom": {
        const def = definitions.get(target.key);
        if (value.length > MAX.custom) issues.push(tooLong(column, `"${target.key}"`, MAX.custom));
        else if (!def) {
          if (value) row.customFields[target.key] = value;
        } else {
          const typed = normalizeCustomValue(def, value);
          if ("error" in typed) issues.push({ column, code: "bad_field_type", message: typed.error });
          else if (typed.value) row.customFields[target.key] = typed.value;
        }
        break;
      }
      case "consent": {
        const state = consentValues[value.toLowerCase().replace(/[\s-]+/g, "_")];
        if (state) row.consent = { state, at: null };
        else
          issues.push({
            column,
            code: "invalid_consent",
            message: `Consent "${value}" is not one of yes/no, true/false, 1/0, opted_in/opted_out, subscribed/unsubscribed`,
          });
        break;
      }
      case "consent_date":
        consentDate = { column, value };
        break;
    }
  }

  if (consentDate && row.consent) {
    const at = parseIsoDate(consentDate.value);
    if (!at) issues.push({ column: consentDate.column, code: "invalid_date", message: `Consent date "${consentDate.value}" is not a date as YYYY-MM-DD (or an ISO 8601 date-time)` });
    else if (at.getTime() > now.getTime()) issues.push({ column: consentDate.column, code: "invalid_date", message: `Consent date "${consentDate.value}" is in the future` });
    else row.consent.at = at;
  }

  for (const tag of options.tags) tags.add(tag);
  if (tags.size > MAX.tags) issues.push({ column: mapping.find((m) => m.target.kind === "field" && m.target.field === "tags")?.column ?? "", code: "too_long", message: `More than ${MAX.tags} tags` });
  row.tags = [...tags];

  const identity = row.fields.phone ?? (row.fields.bsuid ? `bsuid:${row.fields.bsuid}` : null);
  if (identity) row.identityKey = identity;
  else if (!issues.some((i) => i.column === identityColumn)) {
    const byPhone = mapping.some((m) => m.target.kind === "field" && m.target.field === "phone");
    issues.push({ column: identityColumn, code: "missing_identity", message: `"${identityColumn}" is empty: every row needs a ${byPhone ? "phone number" : "WhatsApp user id"}` });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, row };
}
