import { createHash, createHmac, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { nextCronTime, parseCron, type Cron } from "@/lib/jobs/cron";

/**
 * A QStash-compatible local server for tests, benchmarks and the offline demo. It speaks the REST
 * API that `@upstash/qstash`'s Client calls (publish, batch, messages, schedules) and delivers like
 * QStash does: POST to the destination with an `Upstash-Signature` JWT the SDK's Receiver verifies,
 * `Upstash-Message-Id` / `Upstash-Retried` headers, retries with exponential backoff on any non-2xx,
 * delays, a deduplication window and flow control (rate per period and parallelism per key).
 * Everything lives in memory; it is test infrastructure, never imported by production code.
 */
export type QstashServerOptions = {
  port?: number;
  currentSigningKey: string;
  nextSigningKey: string;
  token: string;
  /** Wait before retry n (n = 1 for the first retry). Default QStash's `min(86400, e^(2.5n))` seconds. */
  retryDelayMs?: (retried: number) => number;
  /** QStash drops a repeated deduplication id for 10 minutes. */
  deduplicationWindowMs?: number;
  /** A delivery that takes longer is aborted and counts as failed (QStash's max HTTP response duration). */
  deliveryTimeoutMs?: number;
  /** Which key signs deliveries: QStash signs with the current one; "next" simulates a rotation. */
  signWith?: "current" | "next";
};

export type QstashStats = {
  published: number;
  deduplicated: number;
  /** HTTP calls made to destinations (first deliveries and retries). */
  deliveries: number;
  delivered: number;
  retried: number;
  /** Messages that exhausted their retries (QStash's DLQ). */
  failed: number;
  cancelled: number;
  pending: number;
  active: number;
  /** REST calls received, by "METHOD /v2/route" (e.g. "POST /v2/batch"). */
  apiCalls: Record<string, number>;
};

export type DeliveryRecord = {
  messageId: string;
  url: string;
  retried: number;
  scheduleId: string | null;
  startedAt: number;
  finishedAt: number | null;
  status: number | null;
  error: string | null;
};

export type QstashServer = {
  url: string;
  stop(): Promise<void>;
  stats(): QstashStats;
  /** Every HTTP call made to a destination, in start order. */
  deliveries(): DeliveryRecord[];
  /** Messages that exhausted their retries. */
  deadLetters(): { messageId: string; url: string; body: string; retried: number; lastStatus: number | null }[];
  /** Publishes a schedule's message now instead of waiting for its next cron minute. */
  triggerSchedule(scheduleId: string): string;
  /** Resolves once nothing is pending or in flight (delayed messages included). */
  idle(timeoutMs?: number): Promise<void>;
};

type FlowControl = { key: string; parallelism: number | null; rate: number | null; periodMs: number };

type Message = {
  messageId: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
  maxRetries: number;
  retried: number;
  notBefore: number;
  createdAt: number;
  flow: FlowControl | null;
  scheduleId: string | null;
  state: "pending" | "active" | "delivered" | "failed" | "cancelled";
  lastStatus: number | null;
};

type Schedule = {
  scheduleId: string;
  cron: string;
  parsed: Cron;
  destination: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
  retries: number;
  delayMs: number;
  flow: FlowControl | null;
  createdAt: number;
  isPaused: boolean;
  nextScheduleTime: number;
  lastScheduleTime: number | null;
};

const DEFAULT_RETRIES = 3;

class HttpError extends Error {
  constructor(
    public status: number,
    message: string,
  ) {
    super(message);
  }
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

/** An `Upstash-Signature` JWT exactly as QStash issues them (HS256; claims per the QStash docs). */
export function signQstashJwt(opts: { key: string; url: string; body: Buffer | string; now?: number; ttlSeconds?: number; issuer?: string }): string {
  const now = Math.floor((opts.now ?? Date.now()) / 1000);
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  // QStash sends the body hash base64url-encoded with padding; the Receiver compares without it.
  const bodyHash = createHash("sha256").update(opts.body).digest("base64").replace(/\+/g, "-").replace(/\//g, "_");
  const claims = {
    iss: opts.issuer ?? "Upstash",
    sub: opts.url,
    exp: now + (opts.ttlSeconds ?? 300),
    nbf: now,
    iat: now,
    jti: `jwt_${randomBytes(12).toString("hex")}`,
    body: bodyHash,
  };
  const payload = b64url(JSON.stringify(claims));
  const signature = createHmac("sha256", opts.key).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/** "10s", "5m", "2h", "1d" or plain seconds. */
function parseDuration(value: string, header: string): number {
  const m = /^(\d+)(s|m|h|d)?$/.exec(value.trim());
  if (!m) throw new HttpError(400, `invalid ${header}: ${value}`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? "s") as "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit * 1000;
}

function parseFlowControl(headers: Record<string, string>): FlowControl | null {
  const key = headers["upstash-flow-control-key"];
  if (!key) return null;
  const fc: FlowControl = { key, parallelism: null, rate: null, periodMs: 1000 };
  for (const part of (headers["upstash-flow-control-value"] ?? "").split(",")) {
    const [name, value] = part.split("=").map((s) => s.trim());
    if (!name) continue;
    if (name === "parallelism") fc.parallelism = Number(value);
    else if (name === "rate") fc.rate = Number(value);
    else if (name === "period") fc.periodMs = parseDuration(value ?? "", "flow control period");
    else throw new HttpError(400, `invalid flow control value: ${part}`);
  }
  if (fc.parallelism === null && fc.rate === null) throw new HttpError(400, "flow control needs parallelism or rate");
  if ((fc.parallelism !== null && !(fc.parallelism >= 1)) || (fc.rate !== null && !(fc.rate >= 1))) {
    throw new HttpError(400, "flow control parallelism and rate must be positive integers");
  }
  return fc;
}

function parseDestination(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HttpError(400, `invalid destination url: ${raw}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new HttpError(400, `invalid destination url: ${raw}`);
  return url.toString();
}

/** `Upstash-Forward-X: v` becomes `X: v` on delivery; Content-Type passes through. */
function forwardedHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (k.startsWith("upstash-forward-")) out[k.slice("upstash-forward-".length)] = v;
  }
  if (headers["content-type"]) out["content-type"] = headers["content-type"];
  return out;
}

function lowerHeaders(h: http.IncomingHttpHeaders | Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : String(v);
  return out;
}

export async function startQstashServer(opts: QstashServerOptions): Promise<QstashServer> {
  const retryDelayMs = opts.retryDelayMs ?? ((n: number) => Math.min(86_400, Math.exp(2.5 * n)) * 1000);
  const dedupWindowMs = opts.deduplicationWindowMs ?? 10 * 60 * 1000;
  const deliveryTimeoutMs = opts.deliveryTimeoutMs ?? 30_000;
  const signingKey = opts.signWith === "next" ? opts.nextSigningKey : opts.currentSigningKey;

  const messages = new Map<string, Message>();
  let pending: Message[] = [];
  const dedup = new Map<string, { messageId: string; at: number }>();
  const schedules = new Map<string, Schedule>();
  const flowState = new Map<string, { active: number; starts: number[] }>();
  const deliveryLog: DeliveryRecord[] = [];
  const stats = { published: 0, deduplicated: 0, deliveries: 0, delivered: 0, retried: 0, failed: 0, cancelled: 0 };
  const apiCalls: Record<string, number> = {};
  const inflight = new Set<Promise<void>>();
  let stopped = false;
  let wakeTimer: NodeJS.Timeout | undefined;
  let wakeAt = Infinity;

  const id = (prefix: string) => `${prefix}_${randomBytes(14).toString("base64url")}`;

  function accept(input: {
    url: string;
    headers: Record<string, string>;
    body: Buffer;
    scheduleId?: string | null;
    flow?: FlowControl | null;
    retries?: number;
    delayMs?: number;
  }): { messageId: string; url: string; deduplicated?: boolean } {
    const h = input.headers;
    const now = Date.now();
    for (const [k, v] of dedup) if (now - v.at > dedupWindowMs) dedup.delete(k);
    let dedupKey: string | null = null;
    if (h["upstash-deduplication-id"]) dedupKey = `id:${h["upstash-deduplication-id"]}`;
    else if (h["upstash-content-based-deduplication"] === "true") {
      const forwarded = Object.entries(forwardedHeaders(h)).sort(([a], [b]) => a.localeCompare(b));
      dedupKey = `content:${createHash("sha256").update(input.url).update(JSON.stringify(forwarded)).update(input.body).digest("hex")}`;
    }
    if (dedupKey && dedup.has(dedupKey)) {
      stats.deduplicated++;
      return { messageId: dedup.get(dedupKey)!.messageId, url: input.url, deduplicated: true };
    }
    let notBefore = now + (input.delayMs ?? 0);
    if (h["upstash-delay"]) notBefore = now + parseDuration(h["upstash-delay"], "Upstash-Delay");
    if (h["upstash-not-before"]) notBefore = Number(h["upstash-not-before"]) * 1000;
    const retries = h["upstash-retries"] !== undefined ? Number(h["upstash-retries"]) : (input.retries ?? DEFAULT_RETRIES);
    if (!Number.isInteger(retries) || retries < 0) throw new HttpError(400, `invalid Upstash-Retries: ${h["upstash-retries"]}`);
    const message: Message = {
      messageId: id("msg"),
      url: input.url,
      method: h["upstash-method"] ?? "POST",
      headers: forwardedHeaders(h),
      body: input.body,
      maxRetries: retries,
      retried: 0,
      notBefore,
      createdAt: now,
      flow: input.flow !== undefined ? input.flow : parseFlowControl(h),
      scheduleId: input.scheduleId ?? null,
      state: "pending",
      lastStatus: null,
    };
    if (dedupKey) dedup.set(dedupKey, { messageId: message.messageId, at: now });
    messages.set(message.messageId, message);
    pending.push(message);
    stats.published++;
    queueMicrotask(pump);
    return { messageId: message.messageId, url: input.url };
  }

  function flowOf(key: string) {
    let s = flowState.get(key);
    if (!s) flowState.set(key, (s = { active: 0, starts: [] }));
    return s;
  }

  /** Starts every message that is due and allowed by its flow control; sleeps until the next one can be. */
  function pump() {
    if (stopped) return;
    const now = Date.now();
    let nextWake = Infinity;
    const waiting: Message[] = [];
    for (const m of pending) {
      if (m.state !== "pending") continue;
      if (m.notBefore > now) {
        nextWake = Math.min(nextWake, m.notBefore);
        waiting.push(m);
        continue;
      }
      if (m.flow) {
        const s = flowOf(m.flow.key);
        if (m.flow.parallelism !== null && s.active >= m.flow.parallelism) {
          waiting.push(m); // a finishing delivery pumps again
          continue;
        }
        if (m.flow.rate !== null) {
          const windowStart = now - m.flow.periodMs;
          const recent = s.starts.filter((t) => t > windowStart);
          if (recent.length >= m.flow.rate) {
            nextWake = Math.min(nextWake, recent[recent.length - m.flow.rate]! + m.flow.periodMs + 1);
            waiting.push(m);
            continue;
          }
        }
        s.active++;
        s.starts.push(now);
        if (s.starts.length > 10_000) s.starts.splice(0, s.starts.length - 10_000);
      }
      const p = deliver(m).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    pending = waiting;
    if (nextWake < wakeAt || wakeAt <= now) {
      clearTimeout(wakeTimer);
      wakeAt = nextWake;
      if (nextWake !== Infinity) {
        wakeTimer = setTimeout(() => {
          wakeAt = Infinity;
          pump();
        }, Math.max(0, nextWake - now));
      }
    }
  }

  async function deliver(m: Message) {
    m.state = "active";
    const record: DeliveryRecord = { messageId: m.messageId, url: m.url, retried: m.retried, scheduleId: m.scheduleId, startedAt: Date.now(), finishedAt: null, status: null, error: null };
    deliveryLog.push(record);
    stats.deliveries++;
    let ok = false;
    let nonRetryable = false;
    try {
      const headers: Record<string, string> = {
        ...m.headers,
        "upstash-signature": signQstashJwt({ key: signingKey, url: m.url, body: m.body }),
        "upstash-message-id": m.messageId,
        "upstash-retried": String(m.retried),
        "user-agent": "Upstash-QStash",
      };
      if (m.scheduleId) headers["upstash-schedule-id"] = m.scheduleId;
      const res = await fetch(m.url, {
        method: m.method,
        headers,
        body: m.method === "GET" || m.method === "HEAD" ? undefined : new Uint8Array(m.body),
        signal: AbortSignal.timeout(deliveryTimeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      record.status = res.status;
      m.lastStatus = res.status;
      ok = res.status >= 200 && res.status < 300;
      nonRetryable = res.status === 489 && res.headers.get("upstash-nonretryable-error") === "true";
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
    }
    record.finishedAt = Date.now();
    if (m.flow) flowOf(m.flow.key).active--;
    if (stopped) return;
    if (ok) {
      m.state = "delivered";
      stats.delivered++;
    } else if (m.retried < m.maxRetries && !nonRetryable) {
      m.retried++;
      stats.retried++;
      m.state = "pending";
      m.notBefore = Date.now() + retryDelayMs(m.retried);
      pending.push(m);
    } else {
      m.state = "failed";
      stats.failed++;
    }
    pump();
  }

  function createSchedule(destination: string, h: Record<string, string>, body: Buffer) {
    const cronText = h["upstash-cron"];
    if (!cronText) throw new HttpError(400, "Upstash-Cron header is required");
    let parsed: Cron;
    try {
      parsed = parseCron(cronText);
    } catch (err) {
      throw new HttpError(400, `invalid cron expression: ${(err as Error).message}`);
    }
    const scheduleId = h["upstash-schedule-id"] ?? id("scd");
    const existing = schedules.get(scheduleId);
    const now = Date.now();
    schedules.set(scheduleId, {
      scheduleId,
      cron: cronText,
      parsed,
      destination,
      method: h["upstash-method"] ?? "POST",
      headers: h,
      body,
      retries: h["upstash-retries"] !== undefined ? Number(h["upstash-retries"]) : DEFAULT_RETRIES,
      delayMs: h["upstash-delay"] ? parseDuration(h["upstash-delay"], "Upstash-Delay") : 0,
      flow: parseFlowControl(h),
      // Recreating a schedule with the same id overwrites it, as QStash does.
      createdAt: existing?.createdAt ?? now,
      isPaused: false,
      nextScheduleTime: nextCronTime(parsed, new Date(now)).getTime(),
      lastScheduleTime: existing?.lastScheduleTime ?? null,
    });
    return { scheduleId };
  }

  function fire(s: Schedule): string {
    s.lastScheduleTime = Date.now();
    const scheduleHeaders = Object.fromEntries(
      Object.entries(s.headers).filter(([k]) => k.startsWith("upstash-forward-") || k === "content-type" || k === "upstash-method"),
    );
    return accept({ url: s.destination, headers: scheduleHeaders, body: s.body, scheduleId: s.scheduleId, flow: s.flow, retries: s.retries, delayMs: s.delayMs }).messageId;
  }

  const cronTimer = setInterval(() => {
    const now = Date.now();
    for (const s of schedules.values()) {
      if (s.isPaused || s.nextScheduleTime > now) continue;
      s.nextScheduleTime = nextCronTime(s.parsed, new Date(now)).getTime();
      fire(s);
    }
  }, 1000);
  cronTimer.unref();

  function scheduleView(s: Schedule) {
    const header: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(forwardedHeaders(s.headers))) header[k] = [v];
    return {
      scheduleId: s.scheduleId,
      cron: s.cron,
      createdAt: s.createdAt,
      destination: s.destination,
      method: s.method,
      header,
      body: s.body.toString("utf8"),
      retries: s.retries,
      ...(s.delayMs ? { delay: s.delayMs / 1000 } : {}),
      isPaused: s.isPaused,
      ...(s.flow ? { flowControlKey: s.flow.key, ...(s.flow.parallelism !== null ? { parallelism: s.flow.parallelism } : {}), ...(s.flow.rate !== null ? { rate: s.flow.rate, period: s.flow.periodMs / 1000 } : {}) } : {}),
      nextScheduleTime: s.nextScheduleTime,
      ...(s.lastScheduleTime ? { lastScheduleTime: s.lastScheduleTime } : {}),
    };
  }

  function messageView(m: Message) {
    const header: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(m.headers)) header[k] = [v];
    return {
      messageId: m.messageId,
      url: m.url,
      method: m.method,
      header,
      body: m.body.toString("utf8"),
      maxRetries: m.maxRetries,
      notBefore: m.notBefore,
      createdAt: m.createdAt,
      ...(m.flow ? { flowControlKey: m.flow.key } : {}),
      ...(m.scheduleId ? { scheduleId: m.scheduleId } : {}),
    };
  }

  async function route(req: http.IncomingMessage, body: Buffer): Promise<{ status: number; json?: unknown }> {
    if (req.headers.authorization !== `Bearer ${opts.token}`) throw new HttpError(401, "Unauthorized");
    const h = lowerHeaders(req.headers);
    const url = new URL(req.url ?? "/", "http://qstash.local");
    const path = url.pathname;
    const method = req.method ?? "GET";
    const call = `${method} /v2/${path.split("/")[2] ?? ""}`;
    apiCalls[call] = (apiCalls[call] ?? 0) + 1;

    if (method === "POST" && path.startsWith("/v2/publish/")) {
      const destination = parseDestination(path.slice("/v2/publish/".length) + url.search);
      return { status: 201, json: accept({ url: destination, headers: h, body }) };
    }
    if (method === "POST" && path === "/v2/batch") {
      let items: { destination: string; headers?: Record<string, string>; body?: string }[];
      try {
        items = JSON.parse(body.toString("utf8"));
      } catch {
        throw new HttpError(400, "invalid batch body");
      }
      if (!Array.isArray(items) || items.length === 0) throw new HttpError(400, "batch needs at least one message");
      if (items.length > 100) throw new HttpError(400, "batch accepts at most 100 messages");
      // Validate every item first so a bad one publishes nothing.
      const prepared = items.map((i) => ({ url: parseDestination(i.destination), headers: lowerHeaders(i.headers ?? {}), body: Buffer.from(i.body ?? "", "utf8") }));
      return { status: 201, json: prepared.map((p) => accept(p)) };
    }
    const messageMatch = /^\/v2\/messages\/([^/]+)$/.exec(path);
    if (messageMatch) {
      const m = messages.get(decodeURIComponent(messageMatch[1]!));
      if (!m) throw new HttpError(404, "message not found");
      if (method === "GET") return { status: 200, json: messageView(m) };
      if (method === "DELETE") {
        if (m.state !== "pending") throw new HttpError(404, "message not found");
        m.state = "cancelled";
        stats.cancelled++;
        return { status: 200, json: { cancelled: 1 } };
      }
    }
    if (path === "/v2/schedules" && method === "GET") return { status: 200, json: [...schedules.values()].map(scheduleView) };
    if (method === "POST" && path.startsWith("/v2/schedules/")) {
      return { status: 200, json: createSchedule(parseDestination(path.slice("/v2/schedules/".length) + url.search), h, body) };
    }
    const scheduleMatch = /^\/v2\/schedules\/([^/]+)(?:\/(pause|resume))?$/.exec(path);
    if (scheduleMatch) {
      const scheduleId = decodeURIComponent(scheduleMatch[1]!);
      const s = schedules.get(scheduleId);
      if (method === "GET" && !scheduleMatch[2]) {
        if (!s) throw new HttpError(404, "schedule not found");
        return { status: 200, json: scheduleView(s) };
      }
      if (method === "DELETE" && !scheduleMatch[2]) {
        schedules.delete(scheduleId);
        return { status: 200 };
      }
      if (method === "PATCH" && scheduleMatch[2]) {
        if (!s) throw new HttpError(404, "schedule not found");
        s.isPaused = scheduleMatch[2] === "pause";
        return { status: 200 };
      }
    }
    throw new HttpError(404, `${method} ${path} is not implemented by the local QStash server`);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      route(req, Buffer.concat(chunks))
        .then(({ status, json }) => {
          res.writeHead(status, json === undefined ? {} : { "content-type": "application/json" });
          res.end(json === undefined ? undefined : JSON.stringify(json));
        })
        .catch((err: unknown) => {
          const status = err instanceof HttpError ? err.status : 500;
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      stopped = true;
      clearInterval(cronTimer);
      clearTimeout(wakeTimer);
      await Promise.allSettled([...inflight]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    stats() {
      let active = 0;
      for (const m of messages.values()) if (m.state === "active") active++;
      return { ...stats, pending: pending.filter((m) => m.state === "pending").length, active, apiCalls: { ...apiCalls } };
    },
    deliveries: () => deliveryLog.map((d) => ({ ...d })),
    deadLetters: () =>
      [...messages.values()]
        .filter((m) => m.state === "failed")
        .map((m) => ({ messageId: m.messageId, url: m.url, body: m.body.toString("utf8"), retried: m.retried, lastStatus: m.lastStatus })),
    triggerSchedule(scheduleId: string) {
      const s = schedules.get(scheduleId);
      if (!s) throw new Error(`no schedule ${scheduleId}`);
      return fire(s);
    },
    async idle(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const busy = [...messages.values()].some((m) => m.state === "pending" || m.state === "active");
        if (!busy) return;
        if (Date.now() > deadline) throw new Error(`the local QStash server is still busy after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
  };
}
