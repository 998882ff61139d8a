import { z } from "zod";
import { ApiError, zodMessage } from "@/lib/api/errors";

/**
 * Meta's limits for interactive messages, checked before anything is stored or sent so the agent
 * gets a clear message instead of Meta's generic 131009 (notes section 2: BUTTONS and LIST).
 */
const text = (max: number, what: string) =>
  z.string().trim().min(1, `${what} must not be empty`).max(max, `${what} is at most ${max} characters`);

const footer = z.object({ text: text(60, "footer") }).optional();

const buttonMessage = z.object({
  type: z.literal("button"),
  header: z.looseObject({ type: z.enum(["text", "image", "video", "document"]) }).optional(),
  body: z.object({ text: text(1024, "body") }),
  footer,
  action: z.object({
    buttons: z
      .array(z.object({ type: z.literal("reply"), reply: z.object({ id: text(256, "button id"), title: text(20, "button title") }) }))
      .min(1, "add at least 1 button")
      .max(3, "at most 3 buttons")
      .refine((b) => new Set(b.map((x) => x.reply.id)).size === b.length, "button ids must be unique"),
  }),
});

const listMessage = z.object({
  type: z.literal("list"),
  header: z.object({ type: z.literal("text"), text: text(60, "header") }).optional(),
  body: z.object({ text: text(4096, "body") }),
  footer,
  action: z.object({
    button: text(20, "list button text"),
    sections: z
      .array(
        z.object({
          title: text(24, "section title").optional(),
          rows: z
            .array(
              z.object({
                id: text(200, "row id"),
                title: text(24, "row title"),
                description: z.string().max(72, "row description is at most 72 characters").optional(),
              }),
            )
            .min(1, "every section needs at least 1 row"),
        }),
      )
      .min(1, "add at least 1 section")
      .max(10, "at most 10 sections")
      .refine((s) => s.reduce((n, x) => n + x.rows.length, 0) <= 10, "at most 10 rows in total across all sections")
      .refine((s) => s.length === 1 || s.every((x) => x.title), "every section needs a title when there are several")
      .refine((s) => {
        const ids = s.flatMap((x) => x.rows.map((r) => r.id));
        return new Set(ids).size === ids.length;
      }, "row ids must be unique"),
  }),
});

/** Other interactive types (cta_url, flow, product lists...) are passed through for Meta to judge. */
const otherMessage = z.looseObject({ type: z.string().refine((t) => t !== "button" && t !== "list") });

const interactiveSchema = z.union([buttonMessage, listMessage, otherMessage]);

/** Throws `unprocessable_entity` naming the first broken limit. */
export function assertInteractiveLimits(interactive: unknown): void {
  const type = (interactive as { type?: unknown } | null)?.type;
  const schema = type === "button" ? buttonMessage : type === "list" ? listMessage : interactiveSchema;
  const result = schema.safeParse(interactive);
  if (!result.success) throw new ApiError("unprocessable_entity", `Interactive message: ${zodMessage(result.error)}`);
}

/** Meta's limit for a text message body. */
export const MAX_TEXT_LENGTH = 4096;
