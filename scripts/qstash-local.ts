/**
 * npm run qstash:local: runs the QStash-compatible local server (tests/fakes/qstash-server) for an
 * offline demo or benchmark of the production job path. Start the app with the printed variables
 * and jobs go through signed HTTP deliveries exactly as on Upstash.
 */
import { startQstashServer } from "../tests/fakes/qstash-server";

async function main() {
  const keys = {
    token: process.env.QSTASH_TOKEN || "local-qstash-token",
    currentSigningKey: process.env.QSTASH_CURRENT_SIGNING_KEY || "sig_local_current_signing_key",
    nextSigningKey: process.env.QSTASH_NEXT_SIGNING_KEY || "sig_local_next_signing_key",
  };
  // QStash's own backoff (12 s, 2.5 min, 30 min...) is long for a demo; FAST_RETRIES=true retries within seconds.
  const fast = process.env.FAST_RETRIES === "true";
  const server = await startQstashServer({ ...keys, port: Number(process.env.QSTASH_LOCAL_PORT ?? 8081), ...(fast ? { retryDelayMs: (n: number) => 1000 * n } : {}) });
  console.log(`[qstash] local QStash-compatible server on ${server.url}; start the app with:`);
  console.log(`QSTASH_URL=${server.url} QSTASH_TOKEN=${keys.token} QSTASH_CURRENT_SIGNING_KEY=${keys.currentSigningKey} QSTASH_NEXT_SIGNING_KEY=${keys.nextSigningKey}`);
  const timer = setInterval(() => {
    const s = server.stats();
    if (s.published) console.log(`[qstash] published ${s.published}, delivered ${s.delivered}, retried ${s.retried}, failed ${s.failed}, pending ${s.pending}, active ${s.active}`);
  }, 30_000);
  const shutdown = async () => {
    clearInterval(timer);
    await server.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((err) => {
  console.error(`[qstash] ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
