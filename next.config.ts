import type { NextConfig } from "next";
import { staticSecurityHeaders } from "./lib/security/headers";

const nextConfig: NextConfig = {
  // forbidden() renders app/forbidden.tsx with a real 403 status.
  experimental: { authInterrupts: true },
  serverExternalPackages: ["mongodb"],
  poweredByHeader: false,
  // `npm run typecheck` (and .ci/run) type-checks the whole repository once; skipping it inside
  // `next build` saves a minute per build on 2-core machines.
  typescript: { ignoreBuildErrors: true },
  // Tests and benchmarks build into their own folder so a running `npm run dev` is not disturbed.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  async headers() {
    return [{ source: "/:path*", headers: staticSecurityHeaders({ https: (process.env.APP_URL ?? "").startsWith("https://") }) }];
  },
};

export default nextConfig;
