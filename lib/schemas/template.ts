import { z } from "zod";
import { idString, objectId, tenantFields } from "./common";

/** A WhatsApp message template mirrored from Meta (seed 002), with its approval state kept current by webhooks. */
export const templateDoc = z.object({
  ...tenantFields,
  accountId: objectId,
  wabaId: z.string(),
  metaId: z.string(),
  name: z.string(),
  language: z.string(),
  category: z.string(),
  status: z.string(),
  qualityScore: z.string().nullable(),
  rejectedReason: z.string().nullable(),
  parameterFormat: z.enum(["positional", "named"]),
  components: z.array(z.record(z.string(), z.unknown())),
  /** `wabaId:name:language`, unique: the sync and the webhooks upsert by it. */
  key: z.string(),
  syncedAt: z.date(),
  // Written by the template builder (lib/templates/manage.ts); optional so synced and webhook-created documents parse.
  /** When each edit of the template while APPROVED was submitted (the last 10: Meta's 30-day limit). */
  edits: z.array(z.date()).optional(),
  /** Meta's sample values by variable slot id (`body:1`, `header:media`, `button:0:1`): the sync keeps components without them. */
  examples: z.record(z.string(), z.string()).optional(),
  submittedBy: objectId.nullable().optional(),
  deletedAt: z.date().nullable().optional(),
  /** A deleted approved template's name cannot be created again at Meta until then (30 days). */
  nameBlockedUntil: z.date().nullable().optional(),
  /** Meta's `other_info` of a pause (FIRST_PAUSE: "paused for 3 hours because..."). */
  pausedReason: z.string().nullable().optional(),
});
export type TemplateDoc = z.infer<typeof templateDoc>;

/**
 * A template as the builder submits it, in Meta's component shapes (`POST /{waba_id}/message_templates`).
 * The schema checks structure; Meta's content rules (lengths, variables, button mixes) are the
 * linter's (lib/templates/lint.ts), so a person sees every problem at once, in words.
 */
export const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;
/** Meta's locale codes: `en`, `en_US`, `pt_BR`, `zh_HK`, `fil`. */
export const TEMPLATE_LANGUAGE = /^[a-z]{2,3}(_[A-Z]{2})?$/;
export const templateCategories = ["MARKETING", "UTILITY", "AUTHENTICATION"] as const;
export const headerFormats = ["TEXT", "IMAGE", "VIDEO", "DOCUMENT", "LOCATION"] as const;
export const buttonTypes = ["QUICK_REPLY", "URL", "PHONE_NUMBER", "COPY_CODE", "OTP"] as const;
export const otpTypes = ["COPY_CODE", "ONE_TAP", "ZERO_TAP"] as const;
export type TemplateCategory = (typeof templateCategories)[number];
export type HeaderFormat = (typeof headerFormats)[number];
export type ButtonType = (typeof buttonTypes)[number];
export type OtpType = (typeof otpTypes)[number];

// Generous structural caps: the linter names Meta's real limits; these only bound what is stored and sent.
const text = z.string().max(5000);
const namedExample = z.object({ param_name: z.string().max(100), example: text });

export const templateButton = z.object({
  type: z.enum(buttonTypes),
  text: text.optional(),
  url: text.optional(),
  phone_number: z.string().max(100).optional(),
  /** URL button: the full example URL (`["https://x.com/track/ABC"]`); copy code: the code. */
  example: z.union([text, z.array(text).max(1)]).optional(),
  otp_type: z.enum(otpTypes).optional(),
  /** One-tap and zero-tap autofill: the Android app that receives the code. */
  supported_apps: z.array(z.object({ package_name: z.string().max(224), signature_hash: z.string().max(100) })).max(5).optional(),
  zero_tap_terms_accepted: z.boolean().optional(),
});
export type TemplateButtonInput = z.infer<typeof templateButton>;

export const templateComponentInput = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("HEADER"),
    format: z.enum(headerFormats),
    text: text.optional(),
    example: z
      .object({ header_text: z.array(text).max(5).optional(), header_text_named_params: z.array(namedExample).max(5).optional(), header_handle: z.array(text).max(1).optional() })
      .optional(),
  }),
  z.object({
    type: z.literal("BODY"),
    text,
    example: z.object({ body_text: z.array(z.array(text).max(100)).max(1).optional(), body_text_named_params: z.array(namedExample).max(100).optional() }).optional(),
  }),
  z.object({ type: z.literal("FOOTER"), text }),
  z.object({ type: z.literal("BUTTONS"), buttons: z.array(templateButton).max(20) }),
]);
export type TemplateComponentInput = z.infer<typeof templateComponentInput>;

export const templateDraft = z.object({
  name: z.string().regex(TEMPLATE_NAME, "use lowercase letters, digits and underscores (at most 512)"),
  language: z.string().regex(TEMPLATE_LANGUAGE, "must be a language code like en_US"),
  category: z.enum(templateCategories),
  parameterFormat: z.enum(["positional", "named"]).default("positional"),
  components: z.array(templateComponentInput).min(1).max(8),
});
export type TemplateDraft = z.infer<typeof templateDraft>;

/** POST /api/templates/lint: any structurally sound draft; a bad name or language is a problem to list, not a refusal. */
export const lintTemplateBody = templateDraft.extend({ name: z.string().max(600), language: z.string().max(20) });

/** POST /api/templates: a draft, submitted for the organization's only (or the chosen) WhatsApp number. */
export const createTemplateBody = templateDraft.extend({ accountId: idString.optional() });

/** PATCH /api/templates/[id]: Meta replaces every component; name, language and variable format stay. */
export const editTemplateBody = templateDraft.pick({ category: true, components: true });

export const templateProblem = z.object({ path: z.string(), message: z.string() });
export type TemplateProblem = z.infer<typeof templateProblem>;

/** POST /api/templates/lint: what Meta would refuse, and the AI's category warning. */
export const lintTemplateResponse = z.object({
  problems: z.array(templateProblem),
  /** A UTILITY draft that reads as marketing: Meta approves it as MARKETING (another price). Never a refusal. */
  warning: z.string().nullable(),
  ai: z.object({ checked: z.boolean(), provider: z.enum(["gemini", "offline"]).nullable() }),
});
export type LintTemplateResponse = z.infer<typeof lintTemplateResponse>;

/** A template as the API returns it (GET /api/templates): the composer lists the approved ones. */
export const templateResponse = z.object({
  id: z.string(),
  accountId: z.string(),
  name: z.string(),
  language: z.string(),
  category: z.string(),
  status: z.string(),
  qualityScore: z.string().nullable(),
  rejectedReason: z.string().nullable(),
  parameterFormat: z.enum(["positional", "named"]),
  components: z.array(z.record(z.string(), z.unknown())),
  syncedAt: z.string(),
});
export type TemplateResponse = z.infer<typeof templateResponse>;

/** GET /api/templates/[id]: the builder's view, components with their examples, and what may be done with it. */
export const templateDetailResponse = templateResponse.extend({
  submittedBy: z.string().nullable(),
  deletedAt: z.string().nullable(),
  nameBlockedUntil: z.string().nullable(),
  pausedReason: z.string().nullable(),
  /** Edits used in Meta's 30-day window; null unless APPROVED (other states have no limit). */
  edits: z.object({ used: z.number().int(), limit: z.number().int(), nextEditAt: z.string().nullable() }).nullable(),
  editable: z.boolean(),
  deletable: z.boolean(),
  updatedAt: z.string(),
});
export type TemplateDetailResponse = z.infer<typeof templateDetailResponse>;

export const listTemplatesQuery = z.object({
  status: z.enum(["APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "DELETED"]).optional(),
  accountId: z.string().regex(/^[a-f0-9]{24}$/i, "must be a 24-character hex id").optional(),
});

/** Saved replies agents insert with `/shortcut` (managed by supervisors). */
export const cannedResponseDoc = z.object({
  ...tenantFields,
  shortcut: z.string(),
  title: z.string(),
  body: z.string(),
  createdBy: objectId.nullable(),
});
export type CannedResponseDoc = z.infer<typeof cannedResponseDoc>;
