import { z } from "zod";
import { idString, objectId, tenantFields } from "./common";
import { tagList, tagName } from "./contact";
import { segmentGroup } from "./segment";

const tags = tagList.min(1, "name at least one tag");

/** What a bulk action does to every contact that matches. */
export const bulkAction = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("add_tags"), tags }),
  z.strictObject({ kind: z.literal("remove_tags"), tags }),
  /** Renames a tag on every contact that has it; into an existing tag, that is a merge of the two. */
  z.strictObject({ kind: z.literal("rename_tag"), from: tagName, to: tagName }),
  /** A teammate becomes the owner of every match (null: nobody). */
  z.strictObject({ kind: z.literal("set_owner"), ownerId: idString.nullable() }),
  z.strictObject({ kind: z.literal("add_to_list"), listId: idString }),
  z.strictObject({ kind: z.literal("remove_from_list"), listId: idString }),
  /** Deletes the contacts with their conversations, messages and consent entries. */
  z.strictObject({ kind: z.literal("delete") }),
  /** GDPR erasure by criteria (lib/contacts/gdpr.ts): personal data removed, a suppression hash kept. */
  z.strictObject({ kind: z.literal("erase") }),
]);
export type BulkAction = z.infer<typeof bulkAction>;

export const bulkActionBody = z.strictObject({
  action: bulkAction,
  /** The directory's selection: its search, and a saved segment or an ad-hoc definition. */
  q: z.string().trim().max(100).optional(),
  segmentId: idString.optional(),
  definition: segmentGroup.optional(),
  /**
   * What the person confirmed ("Delete 1,204 contacts?"). A delete or erase whose selection has grown or
   * shrunk since is refused, so it never removes a number nobody saw.
   */
  confirmCount: z.number().int().min(0).optional(),
});

export const bulkStatuses = ["queued", "running", "done", "failed"] as const;

export const contactBulkActionDoc = z.object({
  ...tenantFields,
  action: bulkAction,
  q: z.string().nullable(),
  /** The selection as it was when the action started (a later edit of the segment does not change it). */
  definition: segmentGroup.nullable(),
  status: z.enum(bulkStatuses),
  total: z.number().int(),
  done: z.number().int(),
  /** Contacts the action changed (a tag already there is not a change). */
  changed: z.number().int(),
  /** Keyset position of the last batch applied: a redelivered or resumed job goes on from here. */
  cursor: z.string().nullable(),
  error: z.string().nullable(),
  createdBy: objectId.nullable(),
  finishedAt: z.date().nullable(),
});
export type ContactBulkActionDoc = z.infer<typeof contactBulkActionDoc>;
