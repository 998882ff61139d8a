import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startLocalDatabase } from "../../lib/local-db";
import { onStop } from "./app-server";

/**
 * For benchmarks that run the app's code in this process: a fresh local database (stopped on exit),
 * the environment the app reads (no QStash, no scheduler, quiet logs) and a command log, so the
 * benchmark can count the database commands a step sends (lib/db/command-log.ts).
 */
export async function startInProcessDatabase(name: string) {
  const dbServer = await startLocalDatabase({ persistent: false });
  onStop(dbServer.stop);
  const logDir = mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`));
  onStop(async () => rmSync(logDir, { recursive: true, force: true }));
  const log = path.join(logDir, "commands.jsonl");
  Object.assign(process.env, {
    MONGODB_URI: dbServer.uri,
    MONGODB_DB: `bench_${name}_${Date.now()}`,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "bench-secret-0123456789abcdef",
    APP_URL: "http://127.0.0.1:3999",
    LOG_LEVEL: "warn",
    IN_PROCESS_SCHEDULER: "off",
    DB_COMMAND_LOG: log,
  });
  delete process.env.QSTASH_TOKEN;
  /** Database commands sent so far in this process. */
  const commands = () => readFileSync(log, "utf8").split("\n").filter(Boolean).length;
  return { dbServer, commands };
}
