/**
 * The browser-facing security policy, in one place: the per-page Content-Security-Policy (built in
 * proxy.ts with a fresh nonce for Next's own scripts) and the static headers every response gets
 * (next.config.ts).
 */

/**
 * Scripts: only this app's, and inline ones carrying the request's nonce (Next adds it to its
 * hydration scripts when it sees this header on the request). Styles allow inline because React
 * renders `style` attributes; injected styles cannot run code. `frame-ancestors 'none'`: the sign-in
 * and admin pages cannot be framed (clickjacking). Development adds 'unsafe-eval' for React's
 * dev tooling.
 */
export function contentSecurityPolicy(nonce: string, opts: { dev: boolean; https: boolean; connect?: string[] }): string {
  const extra = opts.connect?.length ? ` ${opts.connect.join(" ")}` : "";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' blob: data:${extra}`,
    `media-src 'self' blob:${extra}`,
    "font-src 'self'",
    `connect-src 'self'${extra}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(opts.https ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/** Headers for every response, pages and API alike. HSTS only where the app is served over HTTPS. */
export function staticSecurityHeaders(opts: { https: boolean }): { key: string; value: string }[] {
  return [
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    // For browsers that predate frame-ancestors.
    { key: "X-Frame-Options", value: "DENY" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
    ...(opts.https ? [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }] : []),
  ];
}
