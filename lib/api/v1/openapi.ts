import { z } from "zod";
import { errorStatus } from "@/lib/api/errors";
import { idString } from "@/lib/schemas/common";
import { createContactBody } from "@/lib/schemas/contact-directory";
import { updateContactBody } from "@/lib/schemas/contact";
import { statusBody } from "@/lib/schemas/inbox";
import { ticketInput, ticketPatch } from "@/lib/schemas/ticket";
import type { ApiScope } from "@/lib/schemas/api-key";
import {
  v1AssignBody,
  v1ConsentBody, v1ContactEventBody, v1ContactEventResult,
  v1Contact,
  v1ContactPage,
  v1ContactTagsBody,
  v1Conversation,
  v1ConversationPage,
  v1Deleted,
  v1ListContactsQuery,
  v1ListConversationsQuery,
  v1ListMessagesQuery,
  v1ListTemplatesQuery,
  v1ListTicketsQuery,
  v1SegmentList,
  v1Message,
  v1MessagePage,
  v1SendMessageBody,
  v1Template,
  v1TemplateList,
  v1Ticket,
  v1TicketPage,
} from "@/lib/schemas/public-api";

/**
 * The public API's operations, each naming the zod schemas its route validates with: the OpenAPI
 * document is generated from these (z.toJSONSchema), and tests/integration/openapi.test.ts checks
 * that the list is exactly the v1 routes on disk with the scopes their wrappers declare.
 */
export type V1Operation = {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** As on disk, with `[id]` segments. */
  path: string;
  scope: ApiScope;
  summary: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: z.ZodType;
  status?: number;
  idempotencyKey?: boolean;
  /** A 404 besides the path's own id: an id in the query or body that names another record. */
  refersById?: boolean;
};

const byId = "[id]";
export const v1Operations: V1Operation[] = [
  { method: "GET", path: "/api/v1/contacts", scope: "contacts:read", summary: "List contacts (search with q; cursor pagination)", query: v1ListContactsQuery, response: v1ContactPage, refersById: true },
  { method: "POST", path: "/api/v1/contacts", scope: "contacts:write", summary: "Create a contact", body: createContactBody, response: v1Contact, status: 201 },
  { method: "GET", path: `/api/v1/contacts/${byId}`, scope: "contacts:read", summary: "Get a contact", response: v1Contact },
  { method: "PATCH", path: `/api/v1/contacts/${byId}`, scope: "contacts:write", summary: "Update a contact", body: updateContactBody, response: v1Contact },
  { method: "DELETE", path: `/api/v1/contacts/${byId}`, scope: "contacts:admin", summary: "Erase a contact and their conversations (GDPR)", response: v1Deleted },
  { method: "POST", path: `/api/v1/contacts/${byId}/tags`, scope: "contacts:write", summary: "Add and remove a contact's tags", body: v1ContactTagsBody, response: v1Contact },
  { method: "PUT", path: `/api/v1/contacts/${byId}/consent`, scope: "contacts:write", summary: "Record a contact's opt-in or opt-out", body: v1ConsentBody, response: v1Contact },
  {
    method: "POST",
    path: `/api/v1/contacts/${byId}/events`,
    scope: "contacts:write",
    summary: "Record an event of the contact's (a purchase, a signup): campaigns whose goal it is count a conversion",
    body: v1ContactEventBody,
    response: v1ContactEventResult,
  },
  { method: "GET", path: "/api/v1/segments", scope: "contacts:read", summary: "List saved segments (filter contacts with segmentId)", response: v1SegmentList },
  { method: "GET", path: "/api/v1/conversations", scope: "conversations:read", summary: "List conversations, most recent activity first", query: v1ListConversationsQuery, response: v1ConversationPage },
  { method: "GET", path: `/api/v1/conversations/${byId}`, scope: "conversations:read", summary: "Get a conversation", response: v1Conversation },
  { method: "PUT", path: `/api/v1/conversations/${byId}/assignee`, scope: "conversations:write", summary: "Assign or unassign a conversation", body: v1AssignBody, response: v1Conversation },
  { method: "PUT", path: `/api/v1/conversations/${byId}/status`, scope: "conversations:write", summary: "Set a conversation's status", body: statusBody, response: v1Conversation },
  { method: "GET", path: `/api/v1/conversations/${byId}/messages`, scope: "messages:read", summary: "List a conversation's messages, newest page first", query: v1ListMessagesQuery, response: v1MessagePage },
  {
    method: "POST",
    path: `/api/v1/conversations/${byId}/messages`,
    scope: "messages:write",
    summary: "Send a text or template message (exactly once per Idempotency-Key)",
    body: v1SendMessageBody,
    response: v1Message,
    status: 201,
    idempotencyKey: true,
  },
  { method: "GET", path: "/api/v1/templates", scope: "templates:read", summary: "List message templates", query: v1ListTemplatesQuery, response: v1TemplateList },
  { method: "GET", path: `/api/v1/templates/${byId}`, scope: "templates:read", summary: "Get a message template", response: v1Template },
  { method: "GET", path: "/api/v1/tickets", scope: "tickets:read", summary: "List tickets (a view, most recently changed first)", query: v1ListTicketsQuery, response: v1TicketPage },
  { method: "POST", path: "/api/v1/tickets", scope: "tickets:write", summary: "Open a ticket for a contact or a conversation", body: ticketInput, response: v1Ticket, status: 201 },
  { method: "GET", path: `/api/v1/tickets/${byId}`, scope: "tickets:read", summary: "Get a ticket", response: v1Ticket },
  { method: "PATCH", path: `/api/v1/tickets/${byId}`, scope: "tickets:write", summary: "Update a ticket (fields, status, assignee, resolution)", body: ticketPatch, response: v1Ticket },
];

type JsonSchema = Record<string, unknown>;
/** Inputs as clients send them (before transforms and defaults), outputs as the API answers. */
const input = (s: z.ZodType): JsonSchema => strip(z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as JsonSchema);
const output = (s: z.ZodType): JsonSchema => strip(z.toJSONSchema(s, { io: "output", unrepresentable: "any" }) as JsonSchema);
function strip({ $schema: _ignored, ...rest }: JsonSchema): JsonSchema {
  return rest;
}

const errorBody: JsonSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: { type: "object", required: ["code", "message"], properties: { code: { type: "string", enum: Object.keys(errorStatus) }, message: { type: "string" } } },
  },
};
const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });

function parameters(op: V1Operation): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const m of op.path.matchAll(/\[(\w+)\]/g)) out.push({ name: m[1], in: "path", required: true, schema: input(idString) });
  if (op.query) {
    const schema = input(op.query) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
      out.push({ name, in: "query", required: schema.required?.includes(name) ?? false, schema: prop, ...(prop.description ? { description: prop.description } : {}) });
    }
  }
  if (op.idempotencyKey) {
    out.push({ name: "Idempotency-Key", in: "header", required: true, description: "Any unique string (a UUID); a retry with the same key returns the first response and sends nothing again", schema: { type: "string", minLength: 1, maxLength: 255 } });
  }
  return out;
}

/** The OpenAPI 3.1 document of /api/v1, generated from the operations' zod schemas. */
export function openApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of v1Operations) {
    const path = op.path.replace(/\[(\w+)\]/g, "{$1}");
    const status = String(op.status ?? 200);
    paths[path] ??= {};
    paths[path][op.method.toLowerCase()] = {
      operationId: `${op.method.toLowerCase()}${path.replace(/^\/api\/v1/, "").replace(/\{(\w+)\}/g, "By_$1").replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ""))}`,
      summary: op.summary,
      tags: [op.scope.split(":")[0]],
      security: [{ apiKey: [op.scope] }],
      "x-scope": op.scope,
      parameters: parameters(op),
      ...(op.body ? { requestBody: { required: true, content: { "application/json": { schema: input(op.body) } } } } : {}),
      responses: {
        [status]: { description: "Success", content: { "application/json": { schema: output(op.response) } } },
        ...(op.method !== "GET" || op.query ? { "400": errorResponse("Malformed request") } : {}),
        "401": errorResponse("Missing, invalid, expired or revoked API key"),
        "403": errorResponse(`The key lacks the ${op.scope} scope`),
        ...(op.path.includes("[") || op.refersById ? { "404": errorResponse("Not found in the key's organization") } : {}),
        ...(op.method !== "GET" ? { "409": errorResponse("Conflicts with the current state") } : {}),
        ...(op.body ? { "413": errorResponse("The body is too large"), "415": errorResponse("The body is not JSON (send Content-Type: application/json)") } : {}),
        "422": errorResponse("Invalid input (the message names the field)"),
        "429": { ...errorResponse("Rate limit exceeded"), headers: { "Retry-After": { description: "Seconds until the next window", schema: { type: "integer" } } } },
      },
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "WhatsApp AI CRM API",
      version: "1.0.0",
      description: "The public REST API. Authenticate with `Authorization: Bearer <API key>`; keys are created by admins under Settings → API keys. See docs/api.md.",
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An API key (wcrm_…) with the scopes the operation names" } },
      schemas: { Error: errorBody },
    },
  };
}
export type OpenApiDocument = ReturnType<typeof openApiDocument>;
