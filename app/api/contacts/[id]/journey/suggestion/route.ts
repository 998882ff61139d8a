import { z } from "zod";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { decideSuggestion } from "@/lib/journey/suggestions";
import { decideSuggestionBody } from "@/lib/schemas/journey";

export const runtime = "nodejs";
const params = z.object({ id: idParam });

// POST /api/contacts/[id]/journey/suggestion: apply (a move with the AI's reason) or dismiss the AI's waiting stage suggestion; audited
export const POST = withOrg({ permission: "manage:contacts", params, body: decideSuggestionBody }, async ({ orgId, actor, params, body }) =>
  decideSuggestion(orgId, actor, params.id, body.decision),
);
