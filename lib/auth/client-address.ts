import { env } from "@/lib/env";

type HeaderSource = Headers | Record<string, unknown> | undefined;

function read(headers: HeaderSource, name: string): string | null {
  if (!headers) return null;
  if (headers instanceof Headers) return headers.get(name);
  const v = headers[name] ?? headers[name.toLowerCase()];
  return typeof v === "string" ? v : Array.isArray(v) ? String(v.at(-1)) : null;
}

/**
 * The client's address as the deployment's own proxy reports it (TRUSTED_IP_HEADER, Vercel's
 * `x-real-ip` by default), never the list a client can write itself: of a comma-separated value,
 * only the last entry, the one the nearest trusted proxy appended, counts. Null when the header is
 * missing (a local server with no proxy in front).
 */
export function clientAddress(headers: HeaderSource): string | null {
  const raw = read(headers, env().TRUSTED_IP_HEADER);
  const last = raw?.split(",").at(-1)?.trim();
  return last && last.length <= 64 ? last : null;
}
