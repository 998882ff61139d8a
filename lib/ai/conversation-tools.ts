import { z } from "zod";
import { priorities } from "@/lib/schemas/conversation";
import type { ToolDeclaration } from "./provider";

/**
 * The conversation agent acts only through these tools (function calling with mode ANY). `reply`,
 * `ask_clarifying_question` and `handover_to_human` end the turn; the others act and the model
 * continues. Arguments are validated with these same schemas: anything else is invalid output.
 */
const confidence = z.number().min(0).max(1).describe("How sure you are that this answer is correct and complete, 0..1");
const sentiment = z.number().min(-1).max(1).describe("The customer's current sentiment, -1 (furious) .. 1 (delighted)");

export const conversationTools = {
  reply: {
    description: "Send the customer a WhatsApp answer. Use only facts from the knowledge base or the conversation.",
    parameters: z.object({ text: z.string().min(1).max(4096).describe("The answer, plain WhatsApp text"), confidence, sentiment }),
  },
  ask_clarifying_question: {
    description: "Ask the customer one short question when their request is ambiguous.",
    parameters: z.object({ question: z.string().min(1).max(1024), confidence, sentiment }),
  },
  add_tags: {
    description: "Tag the conversation and contact (lowercase, short, e.g. 'billing', 'shipping').",
    parameters: z.object({ tags: z.array(z.string().min(1).max(40)).min(1).max(5) }),
  },
  update_contact: {
    description: "Save details the customer stated about themselves.",
    parameters: z.object({
      name: z.string().min(1).max(100).optional(),
      email: z.email().max(254).optional(),
      company: z.string().min(1).max(100).optional(),
    }),
  },
  set_priority: {
    description: "Change the conversation's priority (e.g. urgent for an outage or a payment problem).",
    parameters: z.object({ priority: z.enum(priorities) }),
  },
  create_ticket: {
    description: "Open a support ticket when the request needs follow-up work by the team after this conversation (a refund, a defect, a delivery investigation). Then tell the customer it is being handled.",
    parameters: z.object({
      subject: z.string().min(1).max(200).describe("One line: what needs doing"),
      summary: z.string().min(1).max(4000).describe("What the customer reported and what is known so far, for the teammate who takes the ticket"),
      priority: z.enum(priorities).optional(),
      category: z.string().min(1).max(60).optional().describe("e.g. billing, shipping, product"),
    }),
  },
  handover_to_human: {
    description: "Hand the conversation to a human agent: the customer asks for one, is upset, or you cannot answer reliably.",
    parameters: z.object({ reason: z.string().min(1).max(300).describe("Why a human should take over, for the agent who picks it up") }),
  },
} as const;

export type ConversationToolName = keyof typeof conversationTools;
export type ToolArgs<N extends ConversationToolName> = z.output<(typeof conversationTools)[N]["parameters"]>;

export const terminalTools = ["reply", "ask_clarifying_question", "handover_to_human"] as const satisfies readonly ConversationToolName[];

export const conversationToolDeclarations: ToolDeclaration[] = Object.entries(conversationTools).map(([name, t]) => ({
  name,
  description: t.description,
  parameters: t.parameters,
}));

export function isConversationTool(name: string): name is ConversationToolName {
  return Object.hasOwn(conversationTools, name);
}
