import type { ObjectId } from "mongodb";
import { listCustomFields } from "@/lib/contacts/custom-fields";
import { listContactLists } from "@/lib/contacts/lists";
import { listSegments } from "@/lib/contacts/segments/store";
import { scoped } from "@/lib/db/scoped";
import { trackedUrlBase } from "./recipient-rules";

/** What the composer offers: approved templates, saved segments, lists and custom fields (for the variable mapping). */
export async function composerData(orgId: ObjectId) {
  const [templates, segments, lists, fields] = await Promise.all([
    scoped(orgId)("whatsapp_templates").find({ status: "APPROVED" }, { sort: { name: 1, language: 1 }, limit: 500 }).toArray(),
    listSegments(orgId),
    listContactLists(orgId),
    listCustomFields(orgId),
  ]);
  return {
    templates: templates.map((t) => ({ id: t._id.toHexString(), name: t.name, language: t.language, category: t.category, components: t.components, parameterFormat: t.parameterFormat })),
    segments: segments.map((s) => ({ id: s._id.toHexString(), name: s.name })),
    lists: lists.map((l) => ({ id: l._id.toHexString(), name: l.name })),
    customFieldKeys: fields.map((f) => f.key),
    trackedUrlBase: trackedUrlBase(),
  };
}
