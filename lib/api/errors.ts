import { ZodError } from "zod";
import { isTransientDbError } from "@/lib/db/errors";
import { log } from "@/lib/log";

/** Seconds a client (Meta, QStash, the UI) is asked to wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 5;

/** The one error table: every API error has one of these codes and its HTTP status. */
export const errorStatus = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable_entity: 422,
  rate_limited: 429,
  internal: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export type ErrorBody = { error: { code: ErrorCode; message: string } };

export class ApiError extends Error {
  name = "ApiError";
  constructor(
    public readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
  get status() {
    return errorStatus[this.code];
  }
}

export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === 11000;
}

export function zodMessage(err: ZodError): string {
  const issue = err.issues[0];
  if (!issue) return "Invalid input";
  const path = issue.path.join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * Maps anything thrown to the wire shape: known errors keep their message, unknown ones are logged,
 * never echoed. A database that is unreachable or restarting is a 503 with Retry-After (a retry
 * can succeed), never a generic 500.
 */
export function toErrorResponse(err: unknown, context: Record<string, unknown> = {}): Response {
  let error: ApiError;
  const headers = new Headers();
  if (err instanceof ApiError) error = err;
  else if (isTransientDbError(err)) {
    log.warn("api.database_unavailable", { ...context, err });
    error = new ApiError("service_unavailable", "The database is not reachable right now. Please try again in a moment.");
    headers.set("retry-after", String(RETRY_AFTER_SECONDS));
  } else if (err instanceof ZodError) error = new ApiError("unprocessable_entity", zodMessage(err));
  else if (isDuplicateKeyError(err)) error = new ApiError("conflict", "A record with the same unique value already exists");
  else {
    log.error("api.unhandled_error", { ...context, err });
    error = new ApiError("internal", "Something went wrong on our side. Please try again.");
  }
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  return Response.json(body, { status: error.status, headers });
}
