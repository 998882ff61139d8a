import { z } from "zod";
import { idString, objectId, tenantFields } from "./common";
import { contactDoc } from "./contact";
import { conversationStatuses } from "./conversation";

/** Fields a merge lets the person choose between the two contacts; the rest is combined (tags, lists, custom fields). */
export const mergeChoiceFields = ["name", "email", "company"] as const;

export const mergeBody = z
  .strictObject({
    survivorId: idString,
    mergedId: idString,
    /** Per field, whose value the merged contact keeps; the survivor's by default. */
    keep: z.partialRecord(z.enum(mergeChoiceFields), z.enum(["survivor", "merged"])).optional(),
  })
  .refine((b) => b.survivorId !== b.mergedId, "A contact cannot be merged into itself");

/** How long a merge can be undone. */
export const MERGE_UNDO_DAYS = 30;

/**
 * A merge as it happened, kept for its undo: the merged contact as it was, the survivor's fields
 * before, and exactly what moved (so an undo moves back only that).
 */
export const contactMergeDoc = z.object({
  ...tenantFields,
  survivorId: objectId,
  merged: contactDoc,
  survivorBefore: contactDoc.pick({ identityKey: true, phone: true, waId: true, bsuid: true, username: true, name: true, email: true, company: true, address: true, language: true, tags: true, listIds: true, customFields: true }),
  /** Each moved conversation's live key and status before the merge; `closedForMerge` when the survivor already had a live one on that number. */
  movedConversations: z.array(z.object({ id: objectId, liveKey: z.string(), status: z.enum(conversationStatuses), closedForMerge: z.boolean() })),
  movedConsentEventIds: z.array(objectId),
  movedTicketIds: z.array(objectId),
  movedLeadScore: z.boolean(),
  movedJourney: z.boolean(),
  status: z.enum(["merging", "done", "undone"]),
  createdBy: objectId.nullable(),
  undoUntil: z.date(),
  undoneAt: z.date().nullable(),
});
export type ContactMergeDoc = z.infer<typeof contactMergeDoc>;
