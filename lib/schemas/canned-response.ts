import { z } from "zod";
import { idString } from "./common";

/** API shapes of saved replies (the document is `cannedResponseDoc` in ./template). */
const shortcut = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_-]{0,29}$/, "must be 1-30 lowercase letters, digits, _ or - (typed after /)");
const title = z.string().trim().min(1, "is required").max(100, "must be at most 100 characters");
const body = z.string().trim().min(1, "is required").max(4096, "must be at most 4,096 characters");

export const createCannedResponseBody = z.strictObject({ shortcut, title, body });
export const updateCannedResponseBody = z
  .strictObject({ shortcut: shortcut.optional(), title: title.optional(), body: body.optional() })
  .refine((b) => Object.keys(b).length > 0, "Nothing to update");

export const cannedResponse = z.object({ id: idString, shortcut: z.string(), title: z.string(), body: z.string(), updatedAt: z.string() });
export type CannedResponse = z.infer<typeof cannedResponse>;
