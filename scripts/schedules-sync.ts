/**
 * npm run schedules:sync: mirrors lib/jobs/schedules.ts into QStash schedules for this deployment
 * (QSTASH_TOKEN, optional QSTASH_URL, APP_URL). Idempotent; run it on every deploy.
 */
import path from "node:path";
import { loadEnvConfig } from "@next/env";
import { Client } from "@upstash/qstash";
import { syncSchedules } from "@/lib/jobs/sync-schedules";

async function main() {
  loadEnvConfig(path.resolve(__dirname, ".."), process.env.NODE_ENV !== "production");
  const { QSTASH_TOKEN, QSTASH_URL, APP_URL } = process.env;
  if (!QSTASH_TOKEN) throw new Error("QSTASH_TOKEN is not set. Without QStash, vercel.json's crons run the schedules.");
  if (!APP_URL) throw new Error("APP_URL is not set: schedules call <APP_URL>/api/cron/<name>.");
  const client = new Client({ token: QSTASH_TOKEN, ...(QSTASH_URL ? { baseUrl: QSTASH_URL } : {}), devMode: false, enableTelemetry: false });
  const r = await syncSchedules({ client, appUrl: APP_URL });
  for (const [what, names] of Object.entries(r)) if (names.length) console.log(`[schedules] ${what}: ${names.join(", ")}`);
  console.log(`[schedules] in sync with ${APP_URL} (${r.created.length} created, ${r.updated.length} updated, ${r.unchanged.length} unchanged, ${r.deleted.length} deleted)`);
}

main().catch((err) => {
  console.error(`[schedules] failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
});
