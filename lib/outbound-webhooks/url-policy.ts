import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { ApiError } from "@/lib/api/errors";
import { env } from "@/lib/env";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Loopback receivers (a developer's local listener, the test suites' receivers) are allowed outside production or when asked for. */
const loopbackAllowed = () => env().NODE_ENV !== "production" || env().OUTBOUND_WEBHOOKS_ALLOW_LOOPBACK;

/**
 * Addresses a customer's endpoint must not point at: loopback, private networks, link-local (cloud
 * metadata at 169.254.169.254), carrier-grade NAT, unspecified and multicast, in IPv4 and IPv6
 * (including IPv4-mapped IPv6). Otherwise an admin could make the server probe its own network.
 */
export function isPrivateAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, "").toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped) return isPrivateAddress(mapped[1]!);
  // The URL parser writes an IPv4-mapped address in hex (`[::ffff:a00:1]` for 10.0.0.1).
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(ip);
  if (hex) {
    const [hi, lo] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
    return isPrivateAddress(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  if (isIP(ip) === 4) {
    const [a, b] = ip.split(".").map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a >= 224;
  }
  if (isIP(ip) === 6) return ip === "::" || ip === "::1" || /^f[cd]/.test(ip) || /^fe[89ab]/.test(ip) || ip.startsWith("ff");
  return false;
}

/** Checks an endpoint URL when it is saved: https, and no private or loopback target (except loopback where allowed). */
export function assertEndpointUrl(raw: string): URL {
  const url = new URL(raw);
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (loopback && loopbackAllowed()) {
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new ApiError("unprocessable_entity", "url: must be an http(s) URL");
    return url;
  }
  if (url.protocol !== "https:") throw new ApiError("unprocessable_entity", "url: must be an https URL");
  if (url.username || url.password) throw new ApiError("unprocessable_entity", "url: must not carry a user name or password");
  if (loopback || isPrivateAddress(url.hostname) || url.hostname.endsWith(".localhost") || url.hostname.endsWith(".internal")) {
    throw new ApiError("unprocessable_entity", "url: must not point at a private or loopback address");
  }
  return url;
}

/**
 * At delivery time the name is resolved and every address checked, so a public name that points
 * at a private address is refused too. (The fetch resolves again: a name that changes its answer
 * in between is the remaining, narrow, DNS-rebinding gap.) Returns the refusal, or null.
 */
export async function refusedTarget(raw: string): Promise<string | null> {
  const url = new URL(raw);
  if (LOOPBACK_HOSTS.has(url.hostname) && loopbackAllowed()) return null;
  try {
    assertEndpointUrl(raw);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  if (isIP(url.hostname.replace(/^\[|\]$/g, ""))) return null;
  const addresses = await lookup(url.hostname, { all: true }).catch(() => null);
  if (!addresses?.length) return `could not resolve ${url.hostname}`;
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  return bad ? `${url.hostname} resolves to a private address (${bad.address})` : null;
}
