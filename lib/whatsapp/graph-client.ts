import type { ObjectId } from "mongodb";
import { env } from "@/lib/env";
import { scoped } from "@/lib/db/scoped";
import { log } from "@/lib/log";
import type { WhatsappAccountDoc } from "@/lib/schemas/whatsapp-account";
import { GraphApiError } from "./graph-error";
import { assertInteractiveLimits } from "./interactive-limits";

/**
 * The one WhatsApp Cloud API (Graph API) client. Base URL and version come from configuration
 * (WHATSAPP_GRAPH_API_URL, WHATSAPP_GRAPH_API_VERSION); the token is the account's own, else the
 * WHATSAPP_ACCESS_TOKEN of the default account. Meta's errors become `GraphApiError`s; rate limits
 * are retried here with a bounded backoff because Meta rejected the call (retrying cannot duplicate).
 */
export type GraphAccount = Pick<WhatsappAccountDoc, "_id" | "orgId" | "phoneNumberId" | "wabaId" | "accessToken" | "tokenError">;

export type GraphClientOptions = {
  /** Attempts for rate-limited calls (first try included). */
  attempts?: number;
  /** Backoff before retry n is `retryBaseMs * 4^(n-1)`: Meta asks for 4^X seconds on pair limits. */
  retryBaseMs?: number;
  /**
   * Backoff before retry n of a throughput rejection (130429) is about `throughputRetryMs * n`,
   * jittered: the limit is per second, so room comes back within one and waiting the pair-limit
   * backoff would only waste the number's throughput (and bunch the retries into the next second).
   */
  throughputRetryMs?: number;
};

export type MediaType = "image" | "video" | "audio" | "document" | "sticker";

/** `to` is a phone number in E.164 (with +) or a business-scoped user id (`US.1349...`, 2026+). */
export type Recipient = string;

export type SendResult = { wamid: string; waId: string | null; messageStatus: string | null };

export type MediaInfo = { id: string; url: string; mimeType: string; sha256: string | null; fileSize: number | null };

export type MetaTemplate = {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  parameter_format?: string;
  components?: Record<string, unknown>[];
  rejected_reason?: string;
  quality_score?: { score?: string };
};

export type SendExtras = {
  /** `biz_opaque_callback_data`: Meta echoes it in the message's status webhooks (up to 512 characters). */
  callbackData?: string;
  /** Marketing templates through `POST /{phone_number_id}/marketing_messages` (Marketing Messages API). */
  marketingMessagesApi?: boolean;
};

export class MediaTooLargeError extends Error {
  name = "MediaTooLargeError";
}

const BSUID = /^[A-Z]{2}\.[A-Za-z0-9.]+$/;
const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function graphClient(account: GraphAccount, options: GraphClientOptions = {}) {
  const e = env();
  const base = `${e.WHATSAPP_GRAPH_API_URL.replace(/\/+$/, "")}/${e.WHATSAPP_GRAPH_API_VERSION}`;
  const token = account.accessToken ?? e.WHATSAPP_ACCESS_TOKEN ?? null;
  const attempts = options.attempts ?? 3;
  const retryBaseMs = options.retryBaseMs ?? 500;
  const throughputRetryMs = options.throughputRetryMs ?? 150;

  async function recordTokenError(err: GraphApiError | null) {
    if (!err && !account.tokenError) return;
    const tokenError = err ? { code: err.code, message: err.message, at: new Date() } : null;
    account = { ...account, tokenError };
    await scoped(account.orgId)("whatsapp_accounts").updateOne({ _id: account._id }, { $set: { tokenError, updatedAt: new Date() } });
  }

  async function request<T>(method: "GET" | "POST" | "DELETE", path: string, body?: { json?: unknown; form?: FormData }): Promise<T> {
    if (!token) {
      throw new GraphApiError(-1, "WhatsApp is not configured: set WHATSAPP_ACCESS_TOKEN or the account's access token", null, null, null, null, "not_configured");
    }
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(`${base}/${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body?.json !== undefined ? { "content-type": "application/json" } : {}),
          },
          body: body?.form ?? (body?.json !== undefined ? JSON.stringify(body.json) : undefined),
        });
      } catch (err) {
        throw new GraphApiError(-1, `Could not reach the Graph API: ${err instanceof Error ? err.message : String(err)}`, null, null, null, null, "network");
      }
      const data: unknown = await res.json().catch(() => null);
      if (res.ok && !(data as { error?: unknown } | null)?.error) {
        await recordTokenError(null);
        return data as T;
      }
      const err = GraphApiError.fromResponse(res.status, data);
      if (err.kind === "rate_limited" && attempt < attempts) {
        const waitMs = err.code === 130429 ? Math.round(throughputRetryMs * (attempt + Math.random())) : retryBaseMs * 4 ** (attempt - 1);
        log.warn("graph.rate_limited_retry", { code: err.code, attempt, waitMs, fbtraceId: err.fbtraceId });
        await defaultSleep(waitMs);
        continue;
      }
      if (err.kind === "token_expired") {
        log.error("graph.token_expired", { accountId: account._id.toHexString(), code: err.code, fbtraceId: err.fbtraceId });
        await recordTokenError(err);
      }
      throw err;
    }
  }

  async function send(to: Recipient, type: string, content: Record<string, unknown>, replyTo?: string | null, extra: SendExtras = {}): Promise<SendResult> {
    const recipient = BSUID.test(to) ? { recipient: to } : { to };
    const res = await request<{
      contacts?: { input?: string; wa_id?: string; user_id?: string }[];
      messages?: { id: string; message_status?: string }[];
    }>("POST", `${account.phoneNumberId}/${extra.marketingMessagesApi ? "marketing_messages" : "messages"}`, {
      json: {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        ...recipient,
        type,
        [type]: content,
        ...(replyTo ? { context: { message_id: replyTo } } : {}),
        ...(extra.callbackData ? { biz_opaque_callback_data: extra.callbackData } : {}),
      },
    });
    const wamid = res.messages?.[0]?.id;
    if (!wamid) throw new GraphApiError(-1, "The Graph API accepted the send but returned no message id", null, 200);
    return { wamid, waId: res.contacts?.[0]?.wa_id ?? null, messageStatus: res.messages?.[0]?.message_status ?? null };
  }

  async function getMedia(mediaId: string): Promise<MediaInfo> {
    const res = await request<{ id: string; url: string; mime_type: string; sha256?: string; file_size?: string | number }>(
      "GET",
      `${encodeURIComponent(mediaId)}?phone_number_id=${account.phoneNumberId}`,
    );
    const size = res.file_size === undefined ? null : Number(res.file_size);
    return { id: res.id, url: res.url, mimeType: res.mime_type, sha256: res.sha256 ?? null, fileSize: Number.isFinite(size) ? size : null };
  }

  return {
    account: () => account,

    sendText(to: Recipient, text: string, opts: { previewUrl?: boolean; replyTo?: string | null } = {}) {
      return send(to, "text", { body: text, preview_url: opts.previewUrl ?? false }, opts.replyTo);
    },

    /** Media by an uploaded media id or by a public link; captions only for image, video, document. */
    sendMedia(to: Recipient, type: MediaType, media: ({ id: string } | { link: string }) & { caption?: string; filename?: string }, replyTo?: string | null) {
      return send(to, type, media, replyTo);
    },

    sendTemplate(to: Recipient, template: { name: string; language: string; components?: unknown[] }, replyTo?: string | null, extra?: SendExtras) {
      return send(
        to,
        "template",
        { name: template.name, language: { code: template.language }, ...(template.components?.length ? { components: template.components } : {}) },
        replyTo,
        extra,
      );
    },

    async sendInteractive(to: Recipient, interactive: Record<string, unknown>, replyTo?: string | null) {
      assertInteractiveLimits(interactive);
      return send(to, "interactive", interactive, replyTo);
    },

    /** An empty emoji removes the reaction. Meta only ever reports `sent` for reactions. */
    sendReaction(to: Recipient, messageId: string, emoji: string) {
      return send(to, "reaction", { message_id: messageId, emoji });
    },

    /** Marks the message and every earlier one read; `typing` also shows a typing indicator (up to 25 s). */
    async markAsRead(wamid: string, opts: { typing?: boolean } = {}): Promise<void> {
      await request("POST", `${account.phoneNumberId}/messages`, {
        json: { messaging_product: "whatsapp", status: "read", message_id: wamid, ...(opts.typing ? { typing_indicator: { type: "text" } } : {}) },
      });
    },

    /** `POST /{phone-number-id}/media` (multipart); the id is valid for 30 days. */
    async uploadMedia(file: { bytes: Uint8Array; mimeType: string; filename: string }): Promise<string> {
      const form = new FormData();
      form.set("messaging_product", "whatsapp");
      form.set("type", file.mimeType);
      form.set("file", new Blob([new Uint8Array(file.bytes)], { type: file.mimeType }), file.filename);
      const res = await request<{ id: string }>("POST", `${account.phoneNumberId}/media`, { form });
      return res.id;
    },

    getMedia,

    /**
     * Media id -> short-lived URL -> bytes (with the Bearer token). The URL expires after 5 minutes,
     * so a 404 fetches a fresh URL once before giving up.
     */
    async downloadMedia(mediaId: string, opts: { maxBytes: number }): Promise<{ bytes: Buffer; mimeType: string; sha256: string | null }> {
      if (!token) throw new GraphApiError(-1, "WhatsApp is not configured", null, null, null, null, "not_configured");
      for (let attempt = 1; ; attempt++) {
        const info = await getMedia(mediaId);
        if (info.fileSize !== null && info.fileSize > opts.maxBytes) {
          throw new MediaTooLargeError(`The file is ${info.fileSize} bytes; the limit is ${opts.maxBytes}`);
        }
        let res: Response;
        try {
          res = await fetch(info.url, { headers: { authorization: `Bearer ${token}` } });
        } catch (err) {
          throw new GraphApiError(-1, `Could not download the media: ${err instanceof Error ? err.message : String(err)}`, null, null, null, null, "network");
        }
        if (res.status === 404 && attempt === 1) continue;
        if (!res.ok || !res.body) {
          throw GraphApiError.fromResponse(res.status, await res.json().catch(() => null));
        }
        const chunks: Uint8Array[] = [];
        let size = 0;
        const reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          size += value.byteLength;
          if (size > opts.maxBytes) {
            await reader.cancel();
            throw new MediaTooLargeError(`The file is larger than the limit of ${opts.maxBytes} bytes`);
          }
          chunks.push(value);
        }
        return { bytes: Buffer.concat(chunks), mimeType: res.headers.get("content-type") ?? info.mimeType, sha256: info.sha256 };
      }
    },

    async deleteMedia(mediaId: string): Promise<void> {
      await request("DELETE", encodeURIComponent(mediaId));
    },

    /** Every template of the account's WABA, following Meta's cursor paging. */
    async listTemplates(): Promise<MetaTemplate[]> {
      const all: MetaTemplate[] = [];
      const fields = "id,name,language,status,category,parameter_format,components,rejected_reason,quality_score";
      let after: string | undefined;
      for (;;) {
        const res = await request<{ data: MetaTemplate[]; paging?: { cursors?: { after?: string }; next?: string } }>(
          "GET",
          `${account.wabaId}/message_templates?fields=${fields}&limit=100${after ? `&after=${encodeURIComponent(after)}` : ""}`,
        );
        all.push(...res.data);
        after = res.paging?.next ? res.paging.cursors?.after : undefined;
        if (!after) return all;
      }
    },

    createTemplate(template: { name: string; language: string; category: string; parameter_format?: "positional" | "named"; components: unknown[] }) {
      return request<{ id: string; status: string; category: string }>("POST", `${account.wabaId}/message_templates`, { json: template });
    },

    /** `POST /{template_id}`: Meta replaces every component and sends the template back to review. */
    editTemplate(templateId: string, edit: { category?: string; components: unknown[] }) {
      return request<{ success: boolean }>("POST", encodeURIComponent(templateId), { json: edit });
    },

    /** `DELETE /{waba_id}/message_templates?name=&hsm_id=`: with `hsm_id`, only that language of the name. */
    deleteTemplate(template: { name: string; metaId: string }) {
      const query = new URLSearchParams({ name: template.name, hsm_id: template.metaId });
      return request<{ success: boolean }>("DELETE", `${account.wabaId}/message_templates?${query}`);
    },
  };
}

export type GraphClient = ReturnType<typeof graphClient>;

/** The client for an account id of an organization (the account document carries its token). */
export async function graphClientFor(orgId: ObjectId, accountId: ObjectId, options?: GraphClientOptions): Promise<GraphClient> {
  const account = await scoped(orgId)("whatsapp_accounts").findOne({ _id: accountId });
  if (!account) throw new GraphApiError(-1, "The conversation's WhatsApp account no longer exists", null, null, null, null, "not_configured");
  return graphClient(account, options);
}
