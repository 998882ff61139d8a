import { ObjectId } from "mongodb";
import { z } from "zod";
import { defineJob } from "@/lib/jobs/define-job";
import { idString } from "@/lib/schemas/common";
import { autoAssign } from "./auto-assign";

export const conversationAssignPayload = z.object({ orgId: idString, conversationId: idString });

/** `conversation-assign`: auto-assignment of a conversation that needs a human (enqueued by ingestion). */
export const conversationAssignJob = defineJob({
  name: "conversation-assign",
  schema: conversationAssignPayload,
  retries: 3,
  handle: (p) => autoAssign(new ObjectId(p.orgId), new ObjectId(p.conversationId)),
});
