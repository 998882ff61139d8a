import { withOrg } from "@/lib/api/with-org";
import { mergeContacts, toMergeResponse } from "@/lib/contacts/merge";
import { mergeBody } from "@/lib/schemas/contact-merge";

export const runtime = "nodejs";

// POST /api/contacts/merge: merge one contact into another (everything moves to the survivor); undoable for 30 days
export const POST = withOrg({ permission: "manage:contacts", body: mergeBody }, async ({ orgId, actor, body }) => ({ merge: toMergeResponse(await mergeContacts(orgId, actor, body)) }));
