import type { MetaErrorInfo } from "@/lib/schemas/message";

/**
 * What the product does about a Meta error (docs: whatsapp-cloud-api-notes.md section 3):
 * - rate_limited: throughput (130429), pair limit (131056), WABA (80007) or app (4) limits; the
 *   client backs off and retries a few times, then gives up with this kind.
 * - window_closed: 131047, more than 24 h since the customer last wrote; send a template instead.
 * - token_expired: 190 or 0; recorded on the account so admins see it.
 * - network: no HTTP answer (the send may or may not have reached Meta; never blindly resent).
 * - not_configured: no access token for the account and none in WHATSAPP_ACCESS_TOKEN.
 */
export type GraphErrorKind = "rate_limited" | "window_closed" | "token_expired" | "network" | "not_configured" | "other";

const RATE_LIMIT_CODES = new Set([130429, 131056, 80007, 4]);

export function kindOf(code: number): GraphErrorKind {
  if (RATE_LIMIT_CODES.has(code)) return "rate_limited";
  if (code === 131047) return "window_closed";
  if (code === 190 || code === 0) return "token_expired";
  return "other";
}

/** Meta's synchronous error body: `{ error: { message, type, code, error_data: { details }, error_subcode, fbtrace_id } }`. */
type MetaErrorBody = {
  message?: unknown;
  type?: unknown;
  code?: unknown;
  error_subcode?: unknown;
  error_user_title?: unknown;
  error_data?: { details?: unknown } | unknown;
  fbtrace_id?: unknown;
  is_transient?: unknown;
};

export class GraphApiError extends Error {
  name = "GraphApiError";
  readonly kind: GraphErrorKind;
  constructor(
    readonly code: number,
    /** Meta's message, "(#code) title"; titles are being deprecated, so logic uses `code`. */
    message: string,
    readonly details: string | null,
    readonly httpStatus: number | null,
    readonly fbtraceId: string | null = null,
    readonly subcode: number | null = null,
    kind?: GraphErrorKind,
  ) {
    super(message);
    this.kind = kind ?? kindOf(code);
  }

  /** "(#131047) Re-engagement message" -> "Re-engagement message". */
  get title(): string {
    return this.message.replace(/^\(#\d+\)\s*/, "");
  }

  /** The shape stored on a message (`MessageDoc.error`). */
  toMetaError(): MetaErrorInfo {
    return { code: this.code, title: this.title, message: this.message, details: this.details };
  }

  static fromResponse(httpStatus: number, body: unknown): GraphApiError {
    const e = ((body as { error?: MetaErrorBody } | null)?.error ?? {}) as MetaErrorBody;
    const code = typeof e.code === "number" ? e.code : -1;
    const message = typeof e.message === "string" ? e.message : `Graph API answered HTTP ${httpStatus}`;
    const data = e.error_data as { details?: unknown } | undefined;
    const details = typeof data?.details === "string" ? data.details : null;
    return new GraphApiError(
      code,
      message,
      details,
      httpStatus,
      typeof e.fbtrace_id === "string" ? e.fbtrace_id : null,
      typeof e.error_subcode === "number" ? e.error_subcode : null,
    );
  }
}
