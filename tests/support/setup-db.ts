import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, inject } from "vitest";
import { vitestLogFile } from "./index-coverage/files";

/**
 * Every test file gets an isolated database on the local server, with indexes applied; the run's
 * databases are dropped in the global teardown. A guard refuses to run against anything but a
 * local server. Under `npm test` (INDEX_COVERAGE_DIR set) every command the file's code sends
 * through lib/db/client.ts is recorded, one log per test file, for the index-coverage check.
 */
const uri = inject("mongoUri");
const host = new URL(uri.replace(/^mongodb(\+srv)?:/, "http:")).hostname;
if (!["127.0.0.1", "localhost", "::1"].includes(host) && process.env.ALLOW_REMOTE_TEST_DB !== "true") {
  throw new Error(`Refusing to run tests against a non-local database (${host}). Set ALLOW_REMOTE_TEST_DB=true to override.`);
}
process.env.MONGODB_URI = uri;
process.env.MONGODB_DB = `${inject("testDbPrefix")}${randomBytes(6).toString("hex")}`;
process.env.NEXTAUTH_SECRET ??= "test-secret-0123456789abcdef";
process.env.APP_URL ??= "http://127.0.0.1:3999";
process.env.LOG_LEVEL ??= "silent";
const coverageDir = process.env.INDEX_COVERAGE_DIR;
if (coverageDir) process.env.DB_COMMAND_LOG = vitestLogFile(coverageDir, expect.getState().testPath ?? `worker-${process.pid}`);

beforeAll(async () => {
  const { resetEnvCache } = await import("@/lib/env");
  resetEnvCache();
  const { ensureIndexes } = await import("@/lib/db/indexes");
  await ensureIndexes();
});

afterAll(async () => {
  const { closeClient } = await import("@/lib/db/client");
  await closeClient();
});
