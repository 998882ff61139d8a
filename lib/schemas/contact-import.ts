import { z } from "zod";
import { idString, objectId, tenantFields } from "./common";
import { customFieldKey, tagList } from "./contact";
import { countryCode } from "./country";

/** Contact fields a column can fill. `phone` or `bsuid` is the contact's identity (exactly one is mapped). */
export const importFields = ["name", "phone", "email", "company", "bsuid", "tags"] as const;
export type ImportField = (typeof importFields)[number];

/**
 * What one CSV column becomes. `consent` reads yes/no style values (see `consentValues`);
 * `consent_date` is when that consent was given (ISO 8601), else the import's start time.
 */
export const importTarget = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("field"), field: z.enum(importFields) }),
  z.object({ kind: z.literal("custom"), key: customFieldKey }),
  z.object({ kind: z.literal("consent") }),
  z.object({ kind: z.literal("consent_date") }),
  z.object({ kind: z.literal("ignore") }),
]);
export type ImportTarget = z.infer<typeof importTarget>;

/** Consent column values, lowercased with spaces and dashes as `_`. Anything else is an `invalid_consent` issue. */
export const consentValues: Record<string, "opted_in" | "opted_out"> = {
  yes: "opted_in",
  y: "opted_in",
  true: "opted_in",
  "1": "opted_in",
  opted_in: "opted_in",
  opt_in: "opted_in",
  subscribed: "opted_in",
  no: "opted_out",
  n: "opted_out",
  false: "opted_out",
  "0": "opted_out",
  opted_out: "opted_out",
  opt_out: "opted_out",
  unsubscribed: "opted_out",
};

const targetKey = (t: ImportTarget): string | null =>
  t.kind === "field" ? `field:${t.field}` : t.kind === "custom" ? `custom:${t.key.toLowerCase()}` : t.kind === "ignore" ? null : t.kind;

export const MAX_IMPORT_CUSTOM_FIELDS = 50;

export const importMapping = z
  .array(z.object({ column: z.string().min(1).max(200), target: importTarget }))
  .min(1, "Map at least one column")
  .max(500)
  .superRefine((mapping, ctx) => {
    const columns = new Set<string>();
    const targets = new Set<string>();
    for (const m of mapping) {
      if (columns.has(m.column)) ctx.addIssue({ code: "custom", message: `Column "${m.column}" is mapped more than once` });
      columns.add(m.column);
      const key = targetKey(m.target);
      if (key && targets.has(key)) ctx.addIssue({ code: "custom", message: `Two columns are mapped to the same ${key.replace(":", " ")}` });
      if (key) targets.add(key);
    }
    if (targets.has("field:phone") === targets.has("field:bsuid")) {
      ctx.addIssue({ code: "custom", message: "Map exactly one identity column: either phone or WhatsApp user id (bsuid), not both" });
    }
    if (targets.has("consent_date") && !targets.has("consent")) ctx.addIssue({ code: "custom", message: "A consent date column needs a consent column" });
    if (mapping.filter((m) => m.target.kind === "custom").length > MAX_IMPORT_CUSTOM_FIELDS) {
      ctx.addIssue({ code: "custom", message: `At most ${MAX_IMPORT_CUSTOM_FIELDS} custom fields` });
    }
  });
export type ImportMapping = z.infer<typeof importMapping>;

export const importOptions = z.object({
  /** Country for numbers written without a country code (e.g. "(415) 555 0100" with "US"). */
  defaultCountry: countryCode.nullable(),
  /** Contacts already in the organization: fill in the mapped fields ("update") or leave them as they are ("skip"). */
  onExisting: z.enum(["update", "skip"]),
  /** Added to every imported row's contact. */
  tags: tagList.default([]),
  /** A static list every imported row's contact is put on (lib/contacts/lists.ts). */
  listId: idString.nullable().default(null),
  /** The evidence for a consent column (e.g. "signup form 2025"), kept in the consent ledger. */
  consentSource: z
    .string()
    .trim()
    .max(200, "must be at most 200 characters")
    .transform((s) => (s === "" ? null : s))
    .nullable()
    .default(null),
});
export type ImportOptions = z.output<typeof importOptions>;

/** Mapping and options together: the body of "start import" and of a dry run. */
export const importConfig = z
  .object({ mapping: importMapping, options: importOptions })
  .refine((c) => !c.mapping.some((m) => m.target.kind === "consent") || !!c.options.consentSource, {
    message: "Say where the consent in this file comes from (consent source, e.g. \"signup form 2025\")",
    path: ["options", "consentSource"],
  });
export type ImportConfig = z.output<typeof importConfig>;

export const importIssueCodes = ["malformed_row", "invalid_phone", "missing_identity", "invalid_email", "invalid_consent", "invalid_date", "too_long", "bad_field_type", "erased"] as const;
export type ImportIssueCode = (typeof importIssueCodes)[number];

/** A problem with one row; `column` is null for a row the CSV parser could not read. */
export const importIssue = z.object({ line: z.number().int(), column: z.string().nullable(), code: z.enum(importIssueCodes), message: z.string() });
export type ImportIssue = z.infer<typeof importIssue>;

export const importStatuses = ["uploaded", "running", "done", "failed"] as const;

export const importProgress = z.object({
  rowsDone: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  /** Existing contacts under onExisting "skip", plus later duplicates of a row in the same file (the first row wins). */
  skipped: z.number().int(),
  invalid: z.number().int(),
});
export type ImportProgress = z.infer<typeof importProgress>;

/** One uploaded CSV and its import (collection `contact_imports`); the file is in the GridFS bucket `imports`. */
export const contactImportDoc = z.object({
  ...tenantFields,
  createdBy: objectId,
  filename: z.string(),
  bytes: z.number().int(),
  fileId: objectId,
  status: z.enum(importStatuses),
  mapping: importMapping.nullable(),
  options: importOptions.nullable(),
  headers: z.array(z.string()),
  progress: importProgress,
  /** Data rows fully committed (contacts, consent, progress): a resumed run skips rows 1..cursor. */
  cursor: z.number().int(),
  error: z.string().nullable(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
});
export type ContactImportDoc = z.infer<typeof contactImportDoc>;

/** Dry-run totals. `wouldSkip` counts existing contacts under "skip" plus in-file duplicates, like the import's `skipped`. */
export const dryRunSummary = z.object({
  rows: z.number().int(),
  valid: z.number().int(),
  invalid: z.number().int(),
  duplicatesInFile: z.number().int(),
  existing: z.number().int(),
  wouldCreate: z.number().int(),
  wouldUpdate: z.number().int(),
  wouldSkip: z.number().int(),
  /** The first 1,000 issues; the CSV report has all of them. */
  issues: z.array(importIssue),
});
export type DryRunSummary = z.infer<typeof dryRunSummary>;
