/**
 * One job worker of `npm run bench:campaign`: the product's job route (`/api/jobs/[name]`, QStash
 * signature checked) and webhook route served over HTTP without the Next server, as a separate
 * process the benchmark can kill. With BENCH_FAIL_RATE, that share of first deliveries fails once:
 * half before the job runs (a 500 from a cold instance) and half after it ran (the answer lost on
 * the way back), so QStash's redelivery must neither lose nor repeat a send.
 */
import { createHash } from "node:crypto";
import type { NextRequest } from "next/server";
import { startRouteServer } from "../../../tests/support/route-server";

type Handler = (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function main() {
  const { POST: jobRoute } = (await import("@/app/api/jobs/[name]/route")) as unknown as { POST: Handler };
  const { POST: webhookRoute } = (await import("@/app/api/webhooks/whatsapp/route")) as unknown as { POST: Handler };
  const failRate = Number(process.env.BENCH_FAIL_RATE ?? 0);
  const share = (id: string) => createHash("sha256").update(id).digest().readUInt32BE(0) / 2 ** 32;
  const flaky: Handler = async (req, ctx) => {
    const id = req.headers.get("upstash-message-id") ?? "";
    const first = (req.headers.get("upstash-retried") ?? "0") === "0";
    const u = share(id);
    if (first && u < failRate / 2) return new Response("injected failure before the job", { status: 500 });
    const res = await jobRoute(req, ctx);
    if (first && u < failRate) return new Response("injected failure after the job ran", { status: 500 });
    return res;
  };
  const server = await startRouteServer([
    { pattern: "/api/jobs/:name", handlers: { POST: flaky } },
    { pattern: "/api/webhooks/whatsapp", handlers: { POST: webhookRoute } },
  ]);
  process.send?.({ url: server.url });
}

main().catch((err) => {
  console.error(`[worker] ${err instanceof Error ? err.stack : err}`);
  process.exit(1);
});
