import { z } from "zod";

/**
 * Meta's webhook payloads, validated just enough to be handled safely. Each item (message, status,
 * preference) is parsed on its own so one shape we do not understand never drops the rest of a
 * batch; unknown keys are kept (`.loose()`) because the raw item is stored with the message.
 * Shapes: https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/overview
 * and the fixtures in tests/fixtures/whatsapp (with SOURCES.md).
 */
const unixSeconds = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform((v) => new Date(Number(v) * 1000));
const entryId = z.union([z.string(), z.number()]).transform(String);

export const envelopeSchema = z.object({
  object: z.string(),
  entry: z
    .array(
      z.object({
        id: entryId,
        time: z.number().optional(),
        changes: z.array(z.object({ field: z.string().min(1), value: z.record(z.string(), z.unknown()) })),
      }),
    )
    .min(1),
});
export type Envelope = z.infer<typeof envelopeSchema>;
export type Change = Envelope["entry"][number]["changes"][number];

/** Meta's error object, at the value, message or status level (`error_data.details` is the useful text). */
export const waErrorSchema = z
  .object({
    code: z.number(),
    title: z.string().nullish(),
    message: z.string().nullish(),
    details: z.string().nullish(),
    error_data: z.object({ details: z.string().nullish() }).loose().nullish(),
  })
  .loose();
export type WaError = z.infer<typeof waErrorSchema>;

export const waContactSchema = z
  .object({
    wa_id: z.string().optional(),
    user_id: z.string().optional(),
    profile: z.object({ name: z.string().optional(), username: z.string().optional() }).loose().optional(),
  })
  .loose();
export type WaContact = z.infer<typeof waContactSchema>;

const media = z
  .object({
    id: z.string(),
    mime_type: z.string().optional(),
    sha256: z.string().optional(),
    caption: z.string().optional(),
    filename: z.string().optional(),
    voice: z.boolean().optional(),
    animated: z.boolean().optional(),
  })
  .loose();
const anyObject = z.record(z.string(), z.unknown());

export const mediaTypes = ["image", "audio", "video", "document", "sticker"] as const;

export const inboundMessageSchema = z
  .object({
    id: z.string().min(1),
    from: z.string().min(1).optional(),
    /** Business-scoped user id: the only identity of a customer who adopted a username (2026+). */
    from_user_id: z.string().min(1).optional(),
    timestamp: unixSeconds,
    type: z.string().min(1),
    context: z
      .object({
        id: z.string().optional(),
        from: z.string().optional(),
        forwarded: z.boolean().optional(),
        frequently_forwarded: z.boolean().optional(),
        referred_product: anyObject.optional(),
      })
      .loose()
      .optional(),
    text: z.object({ body: z.string() }).loose().optional(),
    image: media.optional(),
    audio: media.optional(),
    video: media.optional(),
    document: media.optional(),
    sticker: media.optional(),
    location: z
      .object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() })
      .loose()
      .optional(),
    contacts: z.array(anyObject).optional(),
    interactive: z
      .object({
        type: z.string(),
        button_reply: z.object({ id: z.string(), title: z.string() }).loose().optional(),
        list_reply: z.object({ id: z.string(), title: z.string() }).loose().optional(),
        nfm_reply: z.object({ body: z.string().optional(), name: z.string().optional(), response_json: z.string().optional() }).loose().optional(),
      })
      .loose()
      .optional(),
    button: z.object({ text: z.string().optional(), payload: z.string().optional() }).loose().optional(),
    reaction: z.object({ message_id: z.string().min(1), emoji: z.string().optional() }).loose().optional(),
    order: z.object({ catalog_id: z.string().optional(), text: z.string().optional(), product_items: z.array(anyObject).optional() }).loose().optional(),
    system: z.object({ body: z.string().optional(), type: z.string().optional(), wa_id: z.string().optional() }).loose().optional(),
    referral: anyObject.optional(),
    edit: z.object({ original_message_id: z.string().min(1), message: anyObject.optional() }).loose().optional(),
    revoke: z.object({ original_message_id: z.string().min(1) }).loose().optional(),
    errors: z.array(waErrorSchema).optional(),
  })
  .loose()
  .refine((m) => m.from || m.from_user_id, "message has neither from nor from_user_id");
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

export const statusValues = ["sent", "delivered", "read", "played", "failed"] as const;
export const statusSchema = z
  .object({
    id: z.string().min(1),
    status: z.enum(statusValues),
    timestamp: unixSeconds,
    recipient_id: z.string().optional(),
    recipient_user_id: z.string().optional(),
    errors: z.array(waErrorSchema).optional(),
    pricing: anyObject.optional(),
    conversation: anyObject.optional(),
  })
  .loose();
export type StatusItem = z.infer<typeof statusSchema>;

/** `value` of the `messages` field (and of `user_preferences`, which also carries metadata). */
export const messagesValueSchema = z
  .object({
    metadata: z.object({ phone_number_id: z.string().min(1), display_phone_number: z.string().optional() }).loose(),
    contacts: z.array(z.unknown()).optional(),
    messages: z.array(z.unknown()).optional(),
    statuses: z.array(z.unknown()).optional(),
    errors: z.array(waErrorSchema).optional(),
  })
  .loose();
export type MessagesValue = z.infer<typeof messagesValueSchema>;

export const userPreferenceSchema = z
  .object({
    wa_id: z.string().optional(),
    user_id: z.string().optional(),
    category: z.string(),
    value: z.string(),
    detail: z.string().optional(),
    timestamp: unixSeconds,
  })
  .loose();

/** Meta's error as stored on a message: `details` lives in `error_data` on newer payloads. */
export function toMetaError(e: WaError) {
  return { code: e.code, title: e.title ?? null, message: e.message ?? null, details: e.error_data?.details ?? e.details ?? null };
}

/** The first issue of a zod error as a short reason for the webhook events page. */
export function issueText(err: z.ZodError): string {
  const i = err.issues[0];
  return i ? `${i.path.join(".") || "value"}: ${i.message}` : "invalid";
}
