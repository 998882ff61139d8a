import { createHash, randomBytes } from "node:crypto";
import { bodyParamCount, demoTemplates, renderTemplate, type SimTemplate } from "./demo-templates";
import { managementEnvelope, messagesEnvelope, postWebhook, unixSeconds, wamid, type Delivery, type Metadata } from "./envelopes";
import { graphErrorBody, webhookError } from "./meta-errors";
import { samplePng } from "./sample-image";

/**
 * The state and behaviour of a simulated WhatsApp Business number: what Meta would accept or
 * refuse, the statuses it reports afterwards, the customers on the other side and their media.
 * The HTTP layer (index.ts) only routes requests here.
 */
export type SimOptions = {
  webhookUrl: string;
  appSecret: string;
  accessToken: string;
  phoneNumberId: string;
  wabaId: string;
  displayPhoneNumber?: string;
  statusDelayMs?: number;
};

export type SimConfig = {
  /** Delay between one status and the next (sent, delivered, read). */
  statusDelayMs: number;
  /** Each status webhook is posted twice (Meta retries and multi-app subscriptions do this). */
  duplicateStatuses: boolean;
  /** Statuses are posted newest first (read, delivered, sent): Meta guarantees no order. */
  reorderStatuses: boolean;
  /** The customer reads what arrives (a `read` status after `delivered`). */
  autoRead: boolean;
  /** Free-form messages outside the 24 h window fail with 131047 (templates are always allowed). */
  enforceWindow: boolean;
  /** Per-number throughput (Meta: 80 by default); over it, 130429. */
  throughputMps: number;
  /** Messages to one customer in 6 s before the pair rate limit (131056). */
  pairLimitPer6s: number;
  /** Media URLs from GET /{media-id} stop working after this (Meta: 5 minutes). */
  mediaUrlTtlMs: number;
  /** Statuses posted within this many ms share one webhook envelope (0: one envelope per status). */
  statusBatchMs: number;
  /** A template created or edited through the API is reviewed (and a webhook posted) after this. */
  templateReviewMs: number;
  /** The review's outcome for every submission and edit. */
  templateReview: "approve" | "reject";
  /** Meta's `reason` of a rejection (INVALID_FORMAT, PROMOTIONAL, TAG_CONTENT_MISMATCH, ...). */
  templateRejectionReason: string;
  /** Meta's `rejection_info.reason`: the sentence the template's owner reads. */
  templateRejectionDetail: string;
};

export type Failures = {
  /** Codes for the next sends to fail synchronously with, in order (e.g. [130429] once). */
  sendErrors: number[];
  /** Codes for the next accepted sends to end in a `failed` status webhook with. */
  statusFailures: number[];
  /** The next N media downloads answer 500. */
  mediaDownloadFailures: number;
};

export type ThreadItem = {
  wamid: string;
  from: "customer" | "business";
  type: string;
  text: string | null;
  /** For media: where the page can load it (the control API, no token needed). */
  mediaUrl: string | null;
  caption: string | null;
  /** Reply buttons the customer can tap (interactive buttons, list rows, template quick replies). */
  buttons: { kind: "button_reply" | "list_reply" | "button"; id: string; title: string }[];
  status: string | null;
  errorCode: number | null;
  at: string;
  /** The raw Graph API body the business sent, for assertions. */
  request: Record<string, unknown> | null;
};

type Customer = { waId: string; name: string; lastInboundAt: number | null; thread: ThreadItem[]; recentSends: number[] };
type Media = { id: string; bytes: Buffer; mimeType: string; sha256: string; filename: string | null; createdAt: number };

const WINDOW_MS = 24 * 60 * 60 * 1000;
const MEDIA_LIMITS: [RegExp, number][] = [
  [/^image\/webp$/, 500 * 1024],
  [/^image\/(jpeg|png)$/, 5 * 1024 * 1024],
  [/^video\/(mp4|3gpp)$/, 16 * 1024 * 1024],
  [/^audio\/(aac|amr|mpeg|mp4|ogg)/, 16 * 1024 * 1024],
  [/^(text\/plain|application\/(pdf|msword|vnd\.ms-excel|vnd\.ms-powerpoint|vnd\.openxmlformats-officedocument\.[\w.]+))$/, 100 * 1024 * 1024],
];

export class GraphSimulator {
  readonly meta: Metadata;
  accessToken: string;
  config: SimConfig;
  failures: Failures = { sendErrors: [], statusFailures: [], mediaDownloadFailures: 0 };
  readonly deliveries: Delivery[] = [];
  private customers = new Map<string, Customer>();
  private media = new Map<string, Media>();
  private mediaUrls = new Map<string, { mediaId: string; expiresAt: number }>();
  private templates: SimTemplate[] = demoTemplates();
  /** Names of deleted approved templates, and until when Meta refuses them (30 days). */
  private blockedNames = new Map<string, number>();
  private sends: number[] = [];
  private timers = new Set<NodeJS.Timeout>();
  private inflight = new Set<Promise<unknown>>();
  /** Set by the HTTP layer once listening: media URLs point back at it. */
  baseUrl = "";

  constructor(private readonly opts: SimOptions) {
    this.meta = { wabaId: opts.wabaId, phoneNumberId: opts.phoneNumberId, displayPhoneNumber: (opts.displayPhoneNumber ?? "15550100").replace(/\D/g, "") };
    this.accessToken = opts.accessToken;
    this.config = defaultConfig(opts.statusDelayMs);
  }

  reset() {
    this.cancelTimers();
    this.customers.clear();
    this.media.clear();
    this.mediaUrls.clear();
    this.templates = demoTemplates();
    this.blockedNames.clear();
    this.sends = [];
    this.deliveries.length = 0;
    this.failures = { sendErrors: [], statusFailures: [], mediaDownloadFailures: 0 };
    this.config = defaultConfig(this.opts.statusDelayMs);
  }

  configure(patch: Partial<SimConfig>) {
    this.config = { ...this.config, ...patch };
    return this.config;
  }

  fail(patch: Partial<Failures>) {
    if (patch.sendErrors) this.failures.sendErrors.push(...patch.sendErrors);
    if (patch.statusFailures) this.failures.statusFailures.push(...patch.statusFailures);
    if (patch.mediaDownloadFailures !== undefined) this.failures.mediaDownloadFailures = patch.mediaDownloadFailures;
    return this.failures;
  }

  // ---- customers ----------------------------------------------------------------------------

  customer(waId: string, name?: string): Customer {
    const id = normalise(waId);
    let c = this.customers.get(id);
    if (!c) {
      c = { waId: id, name: name ?? `Customer ${id.slice(-4)}`, lastInboundAt: null, thread: [], recentSends: [] };
      this.customers.set(id, c);
    } else if (name) c.name = name;
    return c;
  }

  listCustomers() {
    return [...this.customers.values()].map((c) => ({ waId: c.waId, name: c.name, lastInboundAt: c.lastInboundAt ? new Date(c.lastInboundAt).toISOString() : null, messages: c.thread.length }));
  }

  /** Lets tests and the dev script say "this customer last wrote at ..." (opens or closes the window). */
  setLastInbound(waId: string, at: Date | null) {
    this.customer(waId).lastInboundAt = at ? at.getTime() : null;
  }

  thread(waId: string): ThreadItem[] {
    return this.customer(waId).thread;
  }

  /** What the business sent, optionally to one customer. */
  sent(waId?: string): ThreadItem[] {
    const all = waId ? [this.customer(waId)] : [...this.customers.values()];
    return all.flatMap((c) => c.thread.filter((t) => t.from === "business"));
  }

  /**
   * The customer writes: a Meta-shaped `messages` envelope, signed and POSTed to the app's webhook,
   * awaited so callers can look at the database right after.
   */
  async customerSends(waId: string, input: CustomerMessage): Promise<{ wamid: string; status: number | null; error: string | null }> {
    const c = this.customer(waId, input.name);
    const id = wamid(c.waId, "in");
    const now = Date.now();
    const message: Record<string, unknown> = { from: c.waId, id, timestamp: unixSeconds(now), type: input.type };
    const item: ThreadItem = { wamid: id, from: "customer", type: input.type, text: null, mediaUrl: null, caption: null, buttons: [], status: null, errorCode: null, at: new Date(now).toISOString(), request: null };
    if (input.contextWamid) message.context = { from: this.meta.displayPhoneNumber, id: input.contextWamid };
    switch (input.type) {
      case "text":
        message.text = { body: input.text };
        item.text = input.text;
        break;
      case "image": {
        const bytes = input.dataBase64 ? Buffer.from(input.dataBase64, "base64") : samplePng(96, Math.floor(Math.random() * 200));
        const m = this.storeMedia(bytes, input.mimeType ?? "image/png", null);
        message.image = { ...(input.caption ? { caption: input.caption } : {}), mime_type: m.mimeType, sha256: m.sha256, id: m.id, url: this.mediaUrl(m.id) };
        item.mediaUrl = this.controlMediaUrl(m.id);
        item.caption = input.caption ?? null;
        item.text = input.caption ?? null;
        break;
      }
      case "location":
        message.location = { latitude: input.latitude, longitude: input.longitude, ...(input.name ? { name: input.name } : {}), ...(input.address ? { address: input.address } : {}) };
        item.text = [input.name, input.address, `${input.latitude}, ${input.longitude}`].filter(Boolean).join(" · ");
        break;
      case "button_reply":
      case "list_reply":
        message.type = "interactive";
        message.interactive = { type: input.type, [input.type]: { id: input.id, title: input.title, ...(input.description ? { description: input.description } : {}) } };
        item.type = "interactive";
        item.text = input.title;
        break;
      case "button":
        message.button = { payload: input.payload ?? input.text, text: input.text };
        item.text = input.text;
        break;
      case "reaction":
        message.reaction = { message_id: input.messageId, emoji: input.emoji };
        item.text = input.emoji;
        break;
    }
    c.lastInboundAt = now;
    c.thread.push(item);
    const body = messagesEnvelope(this.meta, { contacts: [{ profile: { name: c.name }, wa_id: c.waId }], messages: [message] });
    const result = await this.deliver("message", body);
    return { wamid: id, status: result.status, error: result.error };
  }

  // ---- Graph API: sending --------------------------------------------------------------------

  /** POST /{phone-number-id}/messages: a send or a mark-as-read. Returns the HTTP status and body. */
  handleMessages(body: Record<string, unknown>, version: string): { status: number; body: unknown } {
    if (body.messaging_product !== "whatsapp") return graphErrorBody(100, "messaging_product must be \"whatsapp\".");
    if (body.status === "read") {
      if (typeof body.message_id !== "string") return graphErrorBody(131008, "message_id is required.");
      this.markReadByBusiness(body.message_id);
      return { status: 200, body: { success: true } };
    }
    const to = typeof body.to === "string" ? body.to : typeof body.recipient === "string" ? body.recipient : null;
    const type = typeof body.type === "string" ? body.type : "text";
    if (!to) return graphErrorBody(131008, "The parameter to is required.");
    const content = body[type] as Record<string, unknown> | undefined;
    if (!content || typeof content !== "object") return graphErrorBody(131008, `The parameter ${type} is required.`);

    const forced = this.failures.sendErrors.shift();
    if (forced !== undefined) return graphErrorBody(forced);

    const now = Date.now();
    this.sends = this.sends.filter((t) => now - t < 1000);
    if (this.sends.length >= this.config.throughputMps) return graphErrorBody(130429);
    const c = this.customer(to);
    c.recentSends = c.recentSends.filter((t) => now - t < 6000);
    if (c.recentSends.length >= this.config.pairLimitPer6s) return graphErrorBody(131056);

    const item: ThreadItem = { wamid: "", from: "business", type, text: null, mediaUrl: null, caption: null, buttons: [], status: "accepted", errorCode: null, at: new Date(now).toISOString(), request: body };
    let category = "service";
    switch (type) {
      case "text": {
        const text = (content as { body?: unknown }).body;
        if (typeof text !== "string" || !text) return graphErrorBody(131008, "text.body is required.");
        if (text.length > 4096) return graphErrorBody(131009, "text.body is longer than 4096 characters.");
        item.text = text;
        break;
      }
      case "image":
      case "video":
      case "audio":
      case "document":
      case "sticker": {
        const m = content as { id?: string; link?: string; caption?: string; filename?: string };
        if (m.id && !this.media.has(m.id)) return graphErrorBody(131053, `Media id ${m.id} was not found.`);
        if (!m.id && !m.link) return graphErrorBody(131008, `${type}.id or ${type}.link is required.`);
        item.mediaUrl = m.id ? this.controlMediaUrl(m.id) : m.link!;
        item.caption = m.caption ?? null;
        item.text = m.caption ?? m.filename ?? null;
        break;
      }
      case "template": {
        const t = content as { name?: string; language?: { code?: string }; components?: unknown[] };
        const template = this.templates.find((x) => x.name === t.name && x.language === t.language?.code);
        if (!template || template.status !== "APPROVED") return graphErrorBody(132001, `template name (${t.name}) does not exist in ${t.language?.code}`);
        const bodyParams = ((t.components ?? []) as { type?: string; parameters?: unknown[] }[]).find((x) => x.type === "body")?.parameters?.length ?? 0;
        if (bodyParams !== bodyParamCount(template)) return graphErrorBody(132000, `body: number of localizable_params (${bodyParams}) does not match the expected number of params (${bodyParamCount(template)})`);
        item.text = renderTemplate(template, t.components);
        const buttons = template.components.find((x) => x.type === "BUTTONS")?.buttons as { type: string; text: string }[] | undefined;
        item.buttons = (buttons ?? []).filter((b) => b.type === "QUICK_REPLY").map((b) => ({ kind: "button" as const, id: b.text, title: b.text }));
        category = template.category.toLowerCase();
        break;
      }
      case "interactive": {
        const i = content as { type?: string; body?: { text?: string }; action?: { buttons?: { reply: { id: string; title: string } }[]; sections?: { rows: { id: string; title: string }[] }[] } };
        if (i.type === "button") {
          const buttons = i.action?.buttons ?? [];
          if (buttons.length < 1 || buttons.length > 3) return graphErrorBody(131009, "action.buttons must have 1 to 3 buttons.");
          if (buttons.some((b) => b.reply.title.length > 20)) return graphErrorBody(131009, "Button title length is too long. Max length is 20.");
          item.buttons = buttons.map((b) => ({ kind: "button_reply" as const, id: b.reply.id, title: b.reply.title }));
        } else if (i.type === "list") {
          const rows = (i.action?.sections ?? []).flatMap((s) => s.rows);
          if (rows.length < 1 || rows.length > 10) return graphErrorBody(131009, "Total row count exceed max allowed count: 10");
          item.buttons = rows.map((r) => ({ kind: "list_reply" as const, id: r.id, title: r.title }));
        }
        item.text = i.body?.text ?? null;
        break;
      }
      case "reaction": {
        const r = content as { message_id?: string; emoji?: string };
        if (!r.message_id) return graphErrorBody(131008, "reaction.message_id is required.");
        item.text = r.emoji ?? "";
        break;
      }
      case "location":
      case "contacts":
        item.text = type;
        break;
      default:
        return graphErrorBody(131051, `Message type ${type} is not supported.`);
    }
    if (type !== "template" && this.config.enforceWindow && (!c.lastInboundAt || now - c.lastInboundAt > WINDOW_MS)) {
      return graphErrorBody(131047);
    }

    this.sends.push(now);
    c.recentSends.push(now);
    item.wamid = wamid(c.waId, "out");
    c.thread.push(item);
    this.scheduleStatuses(c, item, type, category, version);
    return {
      status: 200,
      body: {
        messaging_product: "whatsapp",
        contacts: [{ input: to, wa_id: c.waId }],
        messages: [{ id: item.wamid, ...(type === "template" ? { message_status: "accepted" } : {}) }],
      },
    };
  }

  /** POST /{phone-number-id}/marketing_messages: marketing templates only, otherwise a normal send. */
  handleMarketingMessage(body: Record<string, unknown>, version: string): { status: number; body: unknown } {
    if (body.type !== "template") return graphErrorBody(131051, "The Marketing Messages API sends marketing templates only.");
    const t = body.template as { name?: string; language?: { code?: string } } | undefined;
    const template = this.templates.find((x) => x.name === t?.name && x.language === t?.language?.code);
    if (template && template.category !== "MARKETING") return graphErrorBody(100, `Template ${template.name} is not a marketing template.`);
    this.marketingMessages++;
    return this.handleMessages(body, version);
  }

  /** Sends that came through the Marketing Messages API (for assertions). */
  marketingMessages = 0;

  private scheduleStatuses(c: Customer, item: ThreadItem, type: string, category: string, version: string) {
    const failCode = this.failures.statusFailures.shift();
    const pricing =
      category === "service"
        ? { billable: false, pricing_model: "PMP", type: "free_customer_service", category: "service" }
        : { billable: true, pricing_model: "PMP", type: "regular", category };
    const withConversation = Number(version.replace(/^v/, "").split(".")[0]) < 24;
    // Meta echoes the send's biz_opaque_callback_data in each of its statuses.
    const callback = typeof item.request?.biz_opaque_callback_data === "string" ? { biz_opaque_callback_data: item.request.biz_opaque_callback_data } : {};
    const status = (s: string, extra: Record<string, unknown> = {}) => ({ id: item.wamid, status: s, timestamp: unixSeconds(), recipient_id: c.waId, ...callback, ...extra });
    let steps: { status: string; make: () => Record<string, unknown> }[];
    if (failCode !== undefined) {
      steps = [{ status: "failed", make: () => status("failed", { errors: [webhookError(failCode)] }) }];
    } else {
      const conversation = { id: randomBytes(16).toString("hex"), expiration_timestamp: unixSeconds(Date.now() + WINDOW_MS), origin: { type: category === "service" ? "service" : category } };
      steps = [{ status: "sent", make: () => status("sent", { ...(withConversation ? { conversation } : {}), pricing }) }];
      // A reaction only ever gets `sent` (Meta docs: reaction messages).
      if (type !== "reaction") {
        steps.push({ status: "delivered", make: () => status("delivered", { ...(withConversation ? { conversation: { id: conversation.id, origin: conversation.origin } } : {}), pricing }) });
        if (this.config.autoRead) steps.push({ status: "read", make: () => status("read") });
      }
    }
    if (this.config.reorderStatuses) steps.reverse();
    const copies = this.config.duplicateStatuses ? 2 : 1;
    const delay = this.config.statusDelayMs;
    // One chain per message: each status (and its duplicate) is answered before the next is posted.
    this.later(delay, async () => {
      for (const [i, step] of steps.entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, delay));
        item.status = step.status;
        if (step.status === "failed") item.errorCode = failCode ?? null;
        const s = step.make();
        for (let n = 0; n < copies; n++) await this.postStatus(step.status, s);
      }
    });
  }

  private markReadByBusiness(messageId: string) {
    for (const c of this.customers.values()) {
      const item = c.thread.find((t) => t.wamid === messageId);
      if (item) item.status = "read";
    }
  }

  // ---- Graph API: media ----------------------------------------------------------------------

  upload(bytes: Buffer, mimeType: string, filename: string | null): { status: number; body: unknown } {
    const limit = MEDIA_LIMITS.find(([re]) => re.test(mimeType))?.[1];
    if (limit === undefined) return graphErrorBody(131053, `Param file must be a file with one of the following types: audio/aac, audio/mp4, audio/mpeg, audio/amr, audio/ogg, text/plain, application/pdf, image/jpeg, image/png, image/webp, video/mp4, video/3gpp. Received file of type '${mimeType}'.`);
    if (bytes.length > limit) return graphErrorBody(131053, `The file is ${bytes.length} bytes; the limit for ${mimeType} is ${limit} bytes.`);
    const m = this.storeMedia(bytes, mimeType, filename);
    return { status: 200, body: { id: m.id } };
  }

  mediaInfo(mediaId: string): { status: number; body: unknown } {
    const m = this.media.get(mediaId);
    if (!m) return graphErrorBody(100, `Unsupported get request. Object with ID '${mediaId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`);
    return { status: 200, body: { messaging_product: "whatsapp", url: this.mediaUrl(m.id), mime_type: m.mimeType, sha256: m.sha256, file_size: String(m.bytes.length), id: m.id } };
  }

  deleteMedia(mediaId: string): { status: number; body: unknown } {
    if (!this.media.delete(mediaId)) return graphErrorBody(100, `Object with ID '${mediaId}' does not exist.`);
    return { status: 200, body: { success: true } };
  }

  /** The bytes behind a short-lived media URL (the caller checked the Bearer token). */
  download(hash: string): { status: number; media?: Media } {
    if (this.failures.mediaDownloadFailures > 0) {
      this.failures.mediaDownloadFailures--;
      return { status: 500 };
    }
    const u = this.mediaUrls.get(hash);
    if (!u || u.expiresAt <= Date.now()) return { status: 404 };
    const media = this.media.get(u.mediaId);
    return media ? { status: 200, media } : { status: 404 };
  }

  /** For the customer page: the bytes of any media by id, without a token. */
  mediaBytes(mediaId: string): Media | undefined {
    return this.media.get(mediaId);
  }

  expireMediaUrls() {
    for (const u of this.mediaUrls.values()) u.expiresAt = 0;
  }

  private storeMedia(bytes: Buffer, mimeType: string, filename: string | null): Media {
    const id = String(10n ** 15n + BigInt(`0x${randomBytes(6).toString("hex")}`));
    const m: Media = { id, bytes, mimeType, sha256: createHash("sha256").update(bytes).digest("base64"), filename, createdAt: Date.now() };
    this.media.set(id, m);
    return m;
  }

  private mediaUrl(mediaId: string): string {
    const hash = randomBytes(12).toString("hex");
    this.mediaUrls.set(hash, { mediaId, expiresAt: Date.now() + this.config.mediaUrlTtlMs });
    return `${this.baseUrl}/whatsapp_business/attachments/?mid=${mediaId}&ext=${unixSeconds()}&hash=${hash}`;
  }

  private controlMediaUrl(mediaId: string): string {
    return `${this.baseUrl}/_sim/media/${mediaId}`;
  }

  // ---- Graph API: templates ------------------------------------------------------------------

  listTemplates(query: URLSearchParams): { status: number; body: unknown } {
    const limit = Math.min(Number(query.get("limit") ?? 25) || 25, 100);
    const after = query.get("after");
    let list = this.templates;
    const status = query.get("status");
    if (status) list = list.filter((t) => t.status.toLowerCase() === status.toLowerCase());
    const name = query.get("name");
    if (name) list = list.filter((t) => t.name.includes(name));
    const start = after ? Number(Buffer.from(after, "base64").toString()) : 0;
    const page = list.slice(start, start + limit);
    const end = start + page.length;
    const cursor = (n: number) => Buffer.from(String(n)).toString("base64");
    return {
      status: 200,
      body: {
        data: page,
        paging: {
          cursors: { before: cursor(start), after: cursor(end) },
          ...(end < list.length ? { next: `${this.baseUrl}/v23.0/${this.meta.wabaId}/message_templates?limit=${limit}&after=${cursor(end)}` } : {}),
        },
      },
    };
  }

  createTemplate(body: Record<string, unknown>): { status: number; body: unknown } {
    const name = body.name;
    const language = body.language;
    const category = typeof body.category === "string" ? body.category.toUpperCase() : "";
    if (typeof name !== "string" || !/^[a-z0-9_]{1,512}$/.test(name)) return graphErrorBody(100, "Template name can only contain lowercase alphanumeric characters and underscores ( _ ).");
    if (typeof language !== "string") return graphErrorBody(100, "language is required.");
    if (!["MARKETING", "UTILITY", "AUTHENTICATION"].includes(category)) return graphErrorBody(100, "category must be MARKETING, UTILITY or AUTHENTICATION.");
    if (!Array.isArray(body.components) || body.components.length === 0) return graphErrorBody(100, "components is required.");
    if (this.templates.some((t) => t.name === name && t.language === language)) return graphErrorBody(100, `Content in this language already exists for template ${name}.`);
    if ((this.blockedNames.get(name) ?? 0) > Date.now()) {
      return graphErrorBody(100, `New content can't be added while the existing content of ${name} is being deleted. Try again in 4 weeks or create a new message template.`);
    }
    const t: SimTemplate = {
      id: String(10n ** 15n + BigInt(`0x${randomBytes(6).toString("hex")}`)),
      name,
      language,
      status: "PENDING",
      category,
      parameter_format: body.parameter_format === "named" || body.parameter_format === "NAMED" ? "NAMED" : "POSITIONAL",
      components: body.components as Record<string, unknown>[],
      rejected_reason: "NONE",
      quality_score: { score: "UNKNOWN" },
    };
    this.templates.push(t);
    this.scheduleReview(t);
    return { status: 200, body: { id: t.id, status: "PENDING", category } };
  }

  /** POST /{template-id}: Meta replaces the components (and category) and reviews the template again. */
  editTemplate(id: string, body: Record<string, unknown>): { status: number; body: unknown } {
    const t = this.templates.find((x) => x.id === id);
    if (!t) return graphErrorBody(100, `Unsupported post request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`);
    if (!["APPROVED", "REJECTED", "PAUSED"].includes(t.status)) return graphErrorBody(100, `Only approved, rejected or paused templates can be edited; ${t.name} is ${t.status}.`);
    const category = typeof body.category === "string" ? body.category.toUpperCase() : t.category;
    if (category !== t.category && t.status !== "REJECTED") return graphErrorBody(100, "The category of an approved template can't be changed.");
    if (body.components !== undefined && (!Array.isArray(body.components) || body.components.length === 0)) return graphErrorBody(100, "components must be a non-empty list.");
    if (Array.isArray(body.components)) t.components = body.components as Record<string, unknown>[];
    t.category = category;
    t.status = "PENDING";
    t.rejected_reason = "NONE";
    this.scheduleReview(t);
    return { status: 200, body: { success: true } };
  }

  /** DELETE /{waba-id}/message_templates?name=&hsm_id=: every language of the name, or one with hsm_id. */
  deleteTemplate(query: URLSearchParams): { status: number; body: unknown } {
    const name = query.get("name");
    const hsmId = query.get("hsm_id");
    if (!name) return graphErrorBody(100, "The parameter name is required.");
    const matching = this.templates.filter((t) => t.name === name && (!hsmId || t.id === hsmId));
    if (matching.length === 0) return graphErrorBody(100, `Message template "${name}" not found.`);
    if (matching.some((t) => t.status === "DISABLED")) return graphErrorBody(100, `Message template "${name}" is disabled and can't be deleted.`);
    if (matching.some((t) => t.status === "APPROVED" || t.status === "PAUSED")) this.blockedNames.set(name, Date.now() + 30 * 24 * 60 * 60 * 1000);
    this.templates = this.templates.filter((t) => !matching.includes(t));
    return { status: 200, body: { success: true } };
  }

  /**
   * Control API: Meta changes a template's status (approval, rejection, pause, disable...) and
   * posts `message_template_status_update`, awaited so callers can look at the database right after.
   */
  async templateStatus(name: string, input: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const t = this.findTemplate(name, input.language);
    if (!t) return { status: 404, body: { error: `no template ${name}` } };
    const event = typeof input.event === "string" ? input.event.toUpperCase() : "";
    if (!/^[A-Z_]+$/.test(event)) return { status: 400, body: { error: "event is required (APPROVED, REJECTED, PAUSED, DISABLED, REINSTATED, ...)" } };
    const reason = typeof input.reason === "string" && input.reason ? input.reason : null;
    const value: Record<string, unknown> = { event, ...this.templateIds(t), reason: "NONE", message_template_category: t.category };
    if (event === "REJECTED") {
      value.reason = reason ?? this.config.templateRejectionReason;
      value.rejection_info = { reason: this.config.templateRejectionDetail, recommendation: "Edit the template and submit it again." };
      t.rejected_reason = String(value.reason);
    } else if (event === "PAUSED" || event === "DISABLED") {
      // Meta explains pauses and disables in other_info, not in reason (Meta, "Template pausing").
      value.reason = null;
      value.other_info = event === "PAUSED"
        ? { title: reason ?? "FIRST_PAUSE", description: "Your WhatsApp message template has been paused for 3 hours because it had issues." }
        : { title: "DISABLED", description: reason ?? "Your WhatsApp message template has been disabled because of continued quality issues." };
    }
    t.status = event;
    const delivery = await this.deliver("template_status", managementEnvelope(this.meta.wabaId, "message_template_status_update", value));
    return { status: 200, body: { template: t, delivery } };
  }

  /** Control API: the template's quality rating changes (`message_template_quality_update`). */
  async templateQuality(name: string, input: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const t = this.findTemplate(name, input.language);
    if (!t) return { status: 404, body: { error: `no template ${name}` } };
    const score = typeof input.score === "string" ? input.score.toUpperCase() : "";
    if (!["GREEN", "YELLOW", "RED", "UNKNOWN"].includes(score)) return { status: 400, body: { error: "score must be GREEN, YELLOW, RED or UNKNOWN" } };
    const previous = t.quality_score.score;
    t.quality_score = { score };
    const delivery = await this.deliver(
      "template_quality",
      managementEnvelope(this.meta.wabaId, "message_template_quality_update", { previous_quality_score: previous, new_quality_score: score, ...this.templateIds(t) }),
    );
    return { status: 200, body: { template: t, delivery } };
  }

  private findTemplate(name: string, language: unknown): SimTemplate | undefined {
    return this.templates.find((t) => t.name === name && (typeof language !== "string" || !language || t.language === language));
  }

  private templateIds(t: SimTemplate) {
    return { message_template_id: Number(t.id), message_template_name: t.name, message_template_language: t.language };
  }

  /** Meta's review of a submission or an edit, after templateReviewMs, as the configured outcome. */
  private scheduleReview(t: SimTemplate) {
    this.later(this.config.templateReviewMs, async () => {
      if (t.status !== "PENDING" || !this.templates.includes(t)) return;
      const approve = this.config.templateReview === "approve";
      await this.templateStatus(t.name, { event: approve ? "APPROVED" : "REJECTED", language: t.language });
    });
  }

  private statusBuffer: { resolve: () => void; status: Record<string, unknown> }[] = [];

  /**
   * One status webhook, or with `statusBatchMs` a share of one: under load Meta delivers many
   * statuses in one envelope, which is what a webhook server at 1,000 messages/s receives.
   */
  private postStatus(kind: string, status: Record<string, unknown>): Promise<unknown> {
    if (this.config.statusBatchMs <= 0) return this.deliver(`status:${kind}`, messagesEnvelope(this.meta, { statuses: [status] }));
    return new Promise<void>((resolve) => {
      this.statusBuffer.push({ resolve, status });
      if (this.statusBuffer.length === 1) {
        this.later(this.config.statusBatchMs, async () => {
          const batch = this.statusBuffer.splice(0);
          await this.deliver("status:batch", messagesEnvelope(this.meta, { statuses: batch.map((b) => b.status) }));
          for (const b of batch) b.resolve();
        });
      }
    });
  }

  /** A template as if approved at Meta long ago (tests that need a shape the demo set lacks). */
  addTemplate(t: SimTemplate) {
    this.templates = [...this.templates.filter((x) => !(x.name === t.name && x.language === t.language)), t];
  }

  // ---- plumbing ------------------------------------------------------------------------------

  private async deliver(kind: string, body: unknown) {
    const p = postWebhook(this.opts.webhookUrl, this.opts.appSecret, body);
    this.inflight.add(p);
    try {
      const r = await p;
      this.deliveries.push({ at: new Date(), kind, body, ...r });
      return r;
    } finally {
      this.inflight.delete(p);
    }
  }

  private later(ms: number, fn: () => Promise<void>) {
    const t = setTimeout(() => {
      this.timers.delete(t);
      const p = fn().catch(() => undefined);
      this.inflight.add(p);
      void p.finally(() => this.inflight.delete(p));
    }, ms);
    this.timers.add(t);
  }

  /** Resolves once every scheduled status and webhook delivery has finished (for tests). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.timers.size > 0 || this.inflight.size > 0) {
      if (Date.now() > deadline) throw new Error("graph simulator: still delivering webhooks");
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  cancelTimers() {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

export type CustomerMessage = { name?: string; contextWamid?: string } & (
  | { type: "text"; text: string }
  | { type: "image"; caption?: string; dataBase64?: string; mimeType?: string }
  | { type: "location"; latitude: number; longitude: number; name?: string; address?: string }
  | { type: "button_reply" | "list_reply"; id: string; title: string; description?: string }
  | { type: "button"; text: string; payload?: string }
  | { type: "reaction"; messageId: string; emoji: string }
);

function defaultConfig(statusDelayMs = 300): SimConfig {
  return {
    statusDelayMs,
    duplicateStatuses: false,
    reorderStatuses: false,
    autoRead: true,
    enforceWindow: true,
    throughputMps: 80,
    pairLimitPer6s: 45,
    mediaUrlTtlMs: 5 * 60 * 1000,
    templateReviewMs: 2000,
    statusBatchMs: 0,
    templateReview: "approve",
    templateRejectionReason: "INVALID_FORMAT",
    templateRejectionDetail: "Your template doesn't follow WhatsApp's formatting rules.",
  };
}

/** Meta accepts `+`, spaces, dashes and parentheses; the wa_id is the digits. BSUIDs pass as they are. */
function normalise(to: string): string {
  return /^[A-Z]{2}\./.test(to) ? to : to.replace(/\D/g, "");
}
