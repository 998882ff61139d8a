import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import nextConfig from "@/next.config";
import { proxy } from "@/proxy";

const page = (path: string) => new NextRequest(new URL(path, "http://127.0.0.1:3999"));

describe("security headers", () => {
  it("gives every page a Content-Security-Policy with a fresh nonce that forbids framing and foreign scripts", async () => {
    const a = await proxy(page("/sign-in"));
    const b = await proxy(page("/sign-in"));
    const csp = a.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'strict-dynamic'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(b.headers.get("content-security-policy")).not.toBe(csp);
    // Next reads the nonce from the request headers the proxy forwards.
    expect(a.headers.get("x-middleware-request-x-nonce")).toBe(/'nonce-([^']+)'/.exec(csp)![1]);
  });

  it("still sends signed-out visitors of a private page to sign in", async () => {
    const res = await proxy(page("/inbox?view=mine"));
    expect(res.status).toBe(307);
    expect(new URL(res.headers.get("location")!).pathname).toBe("/sign-in");
    expect(new URL(res.headers.get("location")!).searchParams.get("callbackUrl")).toBe("/inbox?view=mine");
  });

  it("sets nosniff, a referrer policy and frame denial on every response, and HSTS only over HTTPS", async () => {
    const rules = await nextConfig.headers!();
    expect(rules).toHaveLength(1);
    expect(rules[0]!.source).toBe("/:path*");
    const headers = Object.fromEntries(rules[0]!.headers.map((h) => [h.key, h.value]));
    expect(headers).toMatchObject({ "X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin", "X-Frame-Options": "DENY" });
    expect(headers).not.toHaveProperty("Strict-Transport-Security");
    const { staticSecurityHeaders } = await import("@/lib/security/headers");
    expect(staticSecurityHeaders({ https: true }).map((h) => h.key)).toContain("Strict-Transport-Security");
  });
});
