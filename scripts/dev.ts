/**
 * npm run dev: the one command for a fresh machine. Starts the local database (see
 * scripts/lib/local-db.ts), applies indexes, seeds demo data when empty, then runs `next dev`.
 */
import { describeDb, startLocalDatabase } from "./lib/local-db";
import { loadDevEnv } from "./lib/dev-env";
import { startNext } from "./lib/next-process";
import { primeDevSimulator, startDevSimulator } from "./lib/dev-simulator";

async function main() {
  const port = Number(process.env.PORT ?? 3000);
  loadDevEnv(port);
  const db = await startLocalDatabase({ persistent: true });
  process.env.MONGODB_URI = db.uri;
  console.log(`[dev] database: ${describeDb(db)}`);
  const simulator = process.env.WHATSAPP_ACCESS_TOKEN ? null : await startDevSimulator(process.env.APP_URL!);
  if (simulator) console.log(`[dev] WhatsApp: Graph API simulator at ${simulator.url} (set WHATSAPP_ACCESS_TOKEN to use Meta)`);

  const { ensureIndexes } = await import("@/lib/db/indexes");
  const { migrate } = await import("@/lib/db/migrations");
  const { isEmpty, seedDemoData, demoUsers, DEMO_PASSWORD } = await import("./seed/demo-data");
  const indexes = await ensureIndexes();
  const changed = indexes.filter((r) => r.action !== "exists").map((r) => `${r.action} ${r.collection}.${r.name}`);
  console.log(`[dev] indexes: ${changed.length ? changed.join(", ") : "up to date"}`);
  const migrated = (await migrate()).filter((m) => m.updated > 0).map((m) => `${m.collection}: ${m.updated} documents`);
  console.log(`[dev] migration (obsolete fields removed): ${migrated.length ? migrated.join(", ") : "nothing to do"}`);
  if (await isEmpty()) {
    const r = await seedDemoData();
    console.log(`[dev] seeded demo data: ${r.users} users, ${r.contacts} contacts, ${r.conversations} conversations`);
  }
  if (simulator) await primeDevSimulator(simulator).catch((err) => console.warn(`[dev] could not prime the simulator: ${err instanceof Error ? err.message : err}`));
  const { closeClient } = await import("@/lib/db/client");
  await closeClient();

  console.log(`[dev] open ${process.env.APP_URL} and sign in as ${demoUsers[0]!.email} / ${DEMO_PASSWORD}`);
  if (simulator) console.log(`[dev] play the customer at ${process.env.APP_URL}/simulator`);
  const next = startNext(["dev", "--port", String(port)], process.env);
  const shutdown = async () => {
    next.stop();
    await simulator?.stop();
    await db.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
  next.child.on("exit", async (code) => {
    await simulator?.stop();
    await db.stop();
    process.exit(code ?? 0);
  });
}

main().catch((err) => {
  console.error(`[dev] ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
