import { ApiError } from "./errors";

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/** Reads the raw body with a byte cap (Content-Length is checked first, then the bytes actually read). */
export async function readRawBody(req: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new ApiError("payload_too_large", `The request body is larger than ${maxBytes} bytes`);
  }
  if (!req.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new ApiError("payload_too_large", `The request body is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/**
 * Refuses MongoDB operator injection (no key may start with `$` or contain a dot) and keys BSON
 * cannot store (a NUL character: the driver would fail the write with a 500; found by the API fuzzer).
 */
export function assertSafeKeys(value: unknown, path = "body"): void {
  if (Array.isArray(value)) return value.forEach((v, i) => assertSafeKeys(v, `${path}[${i}]`));
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith("$") || k.includes(".")) {
        throw new ApiError("bad_request", `${path}: field names may not start with "$" or contain "." (got "${k}")`);
      }
      if (k.includes("\u0000")) throw new ApiError("bad_request", `${path}: field names may not contain a NUL character (got ${JSON.stringify(k)})`);
      assertSafeKeys(v, `${path}.${k}`);
    }
  }
}

export function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) throw new ApiError("bad_request", "The request body is empty; send a JSON object");
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw new ApiError("bad_request", "The request body is not valid JSON");
  }
}
