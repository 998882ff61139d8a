/**
 * The app as end-to-end tests see it: a production build on 127.0.0.1 with a freshly seeded
 * database, the Graph API simulator standing in for Meta, offline AI and in-process jobs. Under
 * `npm test` (INDEX_COVERAGE_DIR set) the app server records its database commands for the
 * index-coverage check; the seeding before it does not.
 */
import path from "node:path";
import { loadDevEnv } from "./lib/dev-env";
import { describeDb, startLocalDatabase } from "./lib/local-db";
import { primeDevSimulator, startDevSimulator } from "./lib/dev-simulator";
import { buildNext, startNext } from "./lib/next-process";
import { e2eLogFile } from "../tests/support/index-coverage/files";

const ROOT = path.resolve(__dirname, "..");
const PORT = Number(process.env.E2E_PORT ?? 3200);
// Separate build directories let two e2e servers (two ports) run side by side.
const DIST = process.env.E2E_DIST_DIR ?? ".next-e2e";

async function main() {
  const appUrl = `http://127.0.0.1:${PORT}`;
  process.env.APP_URL = appUrl;
  process.env.NEXTAUTH_URL = appUrl;
  loadDevEnv(PORT);
  // The outbound-webhooks spec's receiver listens on 127.0.0.1 over plain http.
  process.env.OUTBOUND_WEBHOOKS_ALLOW_LOOPBACK = "true";
  const db = await startLocalDatabase({ persistent: false });
  process.env.MONGODB_URI = db.uri;
  process.env.MONGODB_DB = `e2e_${Date.now()}`;
  console.log(`[e2e] database: ${describeDb(db)} / ${process.env.MONGODB_DB}`);

  const stops: (() => Promise<void>)[] = [db.stop];
  // The same Meta stand-in as `npm run dev`: Graph API simulator + customer page, templates synced.
  const sim = await startDevSimulator(appUrl);
  stops.push(sim.stop);
  console.log(`[e2e] Graph API simulator at ${sim.url}`);

  const { ensureIndexes } = await import("@/lib/db/indexes");
  const { seedDemoData } = await import("./seed/demo-data");
  const { seedFailedJobRunsForE2e } = await import("./seed/demo-job-runs");
  const { closeClient } = await import("@/lib/db/client");
  await ensureIndexes();
  const { orgId } = await seedDemoData();
  await seedFailedJobRunsForE2e(orgId, new Date());
  await primeDevSimulator(sim);
  await closeClient();

  const env = { ...process.env, NEXT_DIST_DIR: DIST, NEXT_TELEMETRY_DISABLED: "1" };
  buildNext(DIST, env, { reuse: process.env.E2E_SKIP_BUILD === "true", cwd: ROOT });
  const coverageDir = process.env.INDEX_COVERAGE_DIR;
  const serverEnv = coverageDir ? { ...env, DB_COMMAND_LOG: e2eLogFile(coverageDir) } : env;
  const server = startNext(["start", "-H", "127.0.0.1", "-p", String(PORT)], serverEnv, ROOT);
  let stopping = false;
  const shutdown = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    server.stop();
    // The database goes last, after the app that uses it has stopped.
    await new Promise((resolve) => (server.child.exitCode !== null ? resolve(null) : server.child.once("exit", resolve)));
    for (const stop of stops.reverse()) await stop().catch(() => {});
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
  server.child.on("exit", (code) => void shutdown(code ?? 0));
}

main().catch((err) => {
  console.error(`[e2e] ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
