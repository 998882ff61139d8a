import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { graphErrorBody } from "./meta-errors";
import { GraphSimulator, type CustomerMessage, type SimOptions } from "./simulator";

/**
 * A local stand-in for Meta's WhatsApp Cloud API (Graph API), for tests, benchmarks and the dev demo.
 *
 * Graph API (Bearer token required, Meta's error JSON):
 *   POST /{version}/{phone-number-id}/messages   send / mark as read (+ typing indicator)
 *   POST /{version}/{phone-number-id}/marketing_messages  a marketing template (Marketing Messages API)
 *   POST /{version}/{phone-number-id}/media      multipart upload -> { id }
 *   GET|DELETE /{version}/{media-id}             media metadata with a 5-minute URL / delete
 *   GET  /whatsapp_business/attachments/?...     the media bytes behind that URL
 *   GET|POST /{version}/{waba-id}/message_templates          list / create (reviewed after config.templateReviewMs)
 *   DELETE /{version}/{waba-id}/message_templates?name=&hsm_id=   delete (a deleted approved name is refused for 30 days)
 *   POST /{version}/{template-id}                   edit (approved, rejected or paused only): back to PENDING, reviewed again
 * Control API for tests and the customer page (no auth, CORS open; loopback only):
 *   GET  /_sim/state                     number, config, failures, customers
 *   POST /_sim/reset | /_sim/config | /_sim/failures | /_sim/token | /_sim/media/expire
 *   GET  /_sim/customers                 POST /_sim/customers { waId, name?, lastInboundAt? }
 *   GET  /_sim/customers/{waId}/thread   what the customer's phone shows
 *   POST /_sim/customers/{waId}/messages the customer writes (text, image, location, button replies)
 *   GET  /_sim/media/{id}                media bytes for the page
 *   GET  /_sim/deliveries                every webhook POSTed to the app and its answer
 *   POST /_sim/templates/{name}/status   { event, reason?, language? }: Meta changes the status and posts a signed
 *                                        message_template_status_update (APPROVED; REJECTED with reason; PAUSED with
 *                                        other_info FIRST_PAUSE...; DISABLED; REINSTATED...)
 *   POST /_sim/templates/{name}/quality  { score, language? }: message_template_quality_update (GREEN, YELLOW, RED)
 * Template review: POST /_sim/config { templateReview: "approve" | "reject", templateRejectionReason,
 * templateRejectionDetail, templateReviewMs } decides what every submission and edit gets.
 */
export type GraphSimulatorHandle = { url: string; sim: GraphSimulator; stop(): Promise<void> };

export async function startGraphSimulator(opts: SimOptions & { port?: number; host?: string }): Promise<GraphSimulatorHandle> {
  const sim = new GraphSimulator(opts);
  const server = createServer((req, res) => {
    handle(sim, req, res).catch((err) => {
      send(res, 500, { error: { message: err instanceof Error ? err.message : String(err), type: "GraphMethodException", code: 1 } });
    });
  });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  sim.baseUrl = url;
  return {
    url,
    sim,
    async stop() {
      sim.cancelTimers();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}

export { GraphSimulator } from "./simulator";
export type { CustomerMessage, SimConfig, Failures, ThreadItem } from "./simulator";

const CORS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
  "access-control-allow-headers": "content-type, authorization",
};

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json", ...CORS });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage, max = 120 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new Error("request body too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(req);
  if (raw.length === 0) return {};
  const parsed: unknown = JSON.parse(raw.toString("utf8"));
  return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

async function handle(sim: GraphSimulator, req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? "/", "http://sim");
  const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const method = req.method ?? "GET";
  if (method === "OPTIONS") {
    res.writeHead(204, CORS);
    return res.end();
  }
  if (parts[0] === "_sim") return control(sim, method, parts.slice(1), req, res);

  const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
  if (token !== sim.accessToken) {
    const e = graphErrorBody(190, "Error validating access token: Session has expired or the token is invalid.");
    return send(res, e.status, e.body);
  }

  if (parts[0] === "whatsapp_business" && parts[1] === "attachments" && method === "GET") {
    const r = sim.download(url.searchParams.get("hash") ?? "");
    if (!r.media) return send(res, r.status, { error: { message: r.status === 404 ? "URL expired or not found" : "Internal error", code: r.status } });
    res.writeHead(200, { "content-type": r.media.mimeType, "content-length": r.media.bytes.length });
    return res.end(r.media.bytes);
  }

  const [version, id, edge] = parts;
  if (!version || !/^v\d+\.\d+$/.test(version) || !id) {
    const e = graphErrorBody(100, `Unknown path components: ${url.pathname}`);
    return send(res, e.status, e.body);
  }
  let r: { status: number; body: unknown };
  if (edge === "messages" || edge === "media" || edge === "marketing_messages") {
    if (id !== sim.meta.phoneNumberId) r = graphErrorBody(100, `Unsupported post request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`);
    else if (method !== "POST") r = graphErrorBody(100, `Unsupported ${method.toLowerCase()} request.`);
    else if (edge === "messages") r = sim.handleMessages(await readJson(req), version);
    else if (edge === "marketing_messages") r = sim.handleMarketingMessage(await readJson(req), version);
    else r = await upload(sim, req);
  } else if (edge === "message_templates") {
    if (id !== sim.meta.wabaId) r = graphErrorBody(100, `Object with ID '${id}' does not exist.`);
    else if (method === "GET") r = sim.listTemplates(url.searchParams);
    else if (method === "POST") r = sim.createTemplate(await readJson(req));
    else if (method === "DELETE") r = sim.deleteTemplate(url.searchParams);
    else r = graphErrorBody(100, `Unsupported ${method.toLowerCase()} request.`);
  } else if (!edge && method === "GET") r = sim.mediaInfo(id);
  else if (!edge && method === "POST") r = sim.editTemplate(id, await readJson(req));
  else if (!edge && method === "DELETE") r = sim.deleteMedia(id);
  else r = graphErrorBody(100, `Unknown path components: ${url.pathname}`);
  send(res, r.status, r.body);
}

async function upload(sim: GraphSimulator, req: IncomingMessage) {
  const raw = await readBody(req);
  const request = new Request("http://sim/upload", { method: "POST", headers: { "content-type": req.headers["content-type"] ?? "" }, body: new Uint8Array(raw) });
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return graphErrorBody(100, "The request must be multipart/form-data with a file.");
  }
  const file = form.get("file");
  if (form.get("messaging_product") !== "whatsapp") return graphErrorBody(100, "messaging_product must be \"whatsapp\".");
  if (!file || typeof file === "string") return graphErrorBody(131008, "The parameter file is required.");
  const type = String(form.get("type") ?? file.type);
  return sim.upload(Buffer.from(await file.arrayBuffer()), type || file.type, file.name || null);
}

async function control(sim: GraphSimulator, method: string, parts: string[], req: IncomingMessage, res: ServerResponse) {
  const [section, id, sub] = parts;
  if (method === "GET" && section === "state") {
    return send(res, 200, { ...sim.meta, config: sim.config, failures: sim.failures, customers: sim.listCustomers() });
  }
  if (method === "GET" && section === "deliveries") return send(res, 200, { deliveries: sim.deliveries });
  if (method === "GET" && section === "media" && id) {
    const m = sim.mediaBytes(id);
    if (!m) return send(res, 404, { error: "no such media" });
    res.writeHead(200, { "content-type": m.mimeType, "content-length": m.bytes.length, ...CORS });
    return res.end(m.bytes);
  }
  if (method === "POST" && section === "media" && id === "expire") {
    sim.expireMediaUrls();
    return send(res, 200, { ok: true });
  }
  if (method === "POST" && section === "reset") {
    sim.reset();
    return send(res, 200, { ok: true });
  }
  if (method === "POST" && section === "config") return send(res, 200, { config: sim.configure(await readJson(req)) });
  if (method === "POST" && section === "failures") return send(res, 200, { failures: sim.fail(await readJson(req)) });
  if (method === "POST" && section === "token") {
    const body = await readJson(req);
    if (typeof body.accessToken !== "string" || !body.accessToken) return send(res, 400, { error: "accessToken is required" });
    sim.accessToken = body.accessToken;
    return send(res, 200, { ok: true });
  }
  if (method === "POST" && section === "templates" && id && (sub === "status" || sub === "quality")) {
    const body = await readJson(req);
    const r = sub === "status" ? await sim.templateStatus(id, body) : await sim.templateQuality(id, body);
    return send(res, r.status, r.body);
  }
  if (section === "customers" && !id) {
    if (method === "GET") return send(res, 200, { customers: sim.listCustomers() });
    if (method === "POST") {
      const body = await readJson(req);
      const waId = typeof body.waId === "string" ? body.waId.replace(/\D/g, "") : "";
      if (waId.length < 8 || waId.length > 15) return send(res, 400, { error: "waId must be a phone number with country code (8-15 digits)" });
      const c = sim.customer(waId, typeof body.name === "string" && body.name.trim() ? body.name.trim() : undefined);
      if (body.lastInboundAt !== undefined) sim.setLastInbound(waId, body.lastInboundAt ? new Date(String(body.lastInboundAt)) : null);
      return send(res, 200, { customer: { waId: c.waId, name: c.name } });
    }
  }
  if (section === "customers" && id && sub === "thread" && method === "GET") {
    return send(res, 200, { customer: sim.listCustomers().find((c) => c.waId === id.replace(/\D/g, "")) ?? null, thread: sim.thread(id) });
  }
  if (section === "customers" && id && sub === "messages" && method === "POST") {
    const body = await readJson(req);
    const problem = checkCustomerMessage(body);
    if (problem) return send(res, 400, { error: problem });
    return send(res, 200, await sim.customerSends(id, body as CustomerMessage));
  }
  send(res, 404, { error: `unknown control route ${method} /_sim/${parts.join("/")}` });
}

function checkCustomerMessage(b: Record<string, unknown>): string | null {
  const str = (v: unknown) => typeof v === "string" && v.length > 0;
  switch (b.type) {
    case "text":
      return str(b.text) ? null : "text is required";
    case "image":
      return b.dataBase64 === undefined || typeof b.dataBase64 === "string" ? null : "dataBase64 must be a string";
    case "location":
      return typeof b.latitude === "number" && typeof b.longitude === "number" ? null : "latitude and longitude are required numbers";
    case "button_reply":
    case "list_reply":
      return str(b.id) && str(b.title) ? null : "id and title are required";
    case "button":
      return str(b.text) ? null : "text is required";
    case "reaction":
      return str(b.messageId) && typeof b.emoji === "string" ? null : "messageId and emoji are required";
    default:
      return "type must be text, image, location, button_reply, list_reply, button or reaction";
  }
}
