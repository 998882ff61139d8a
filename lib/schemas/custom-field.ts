import { z } from "zod";
import { tenantFields } from "./common";
import { CUSTOM_FIELD_KEY } from "./contact";

/** What a custom field holds; values are stored as normalised text (docs/contacts.md, "Custom fields"). */
export const customFieldTypes = ["text", "number", "date", "boolean", "single_select", "multi_select", "url", "phone"] as const;
export type CustomFieldType = (typeof customFieldTypes)[number];


export const customFieldDefinitionDoc = z.object({
  ...tenantFields,
  key: z.string(),
  label: z.string(),
  type: z.enum(customFieldTypes),
  /** The choices of a single or multi select. */
  options: z.array(z.string()),
  required: z.boolean(),
  /** Shown in the inbox's contact panel. */
  showInInbox: z.boolean(),
});
export type CustomFieldDefinitionDoc = z.infer<typeof customFieldDefinitionDoc>;

export const customFieldBody = z
  .strictObject({
    key: z.string().trim().regex(CUSTOM_FIELD_KEY, "is 1-40 letters, digits, spaces, _ or -, starting with a letter"),
    label: z.string().trim().min(1, "must not be empty").max(60),
    type: z.enum(customFieldTypes),
    options: z.array(z.string().trim().min(1).max(60)).max(100).default([]),
    required: z.boolean().default(false),
    showInInbox: z.boolean().default(true),
  })
  .refine((b) => !b.type.endsWith("_select") || b.options.length > 0, { message: "a select needs at least one option", path: ["options"] })
  .refine((b) => new Set(b.options.map((o) => o.toLowerCase())).size === b.options.length, { message: "options must differ", path: ["options"] });

export function toCustomFieldResponse(d: CustomFieldDefinitionDoc) {
  return { id: d._id.toHexString(), key: d.key, label: d.label, type: d.type, options: d.options, required: d.required, showInInbox: d.showInInbox };
}
export type CustomFieldResponse = ReturnType<typeof toCustomFieldResponse>;
