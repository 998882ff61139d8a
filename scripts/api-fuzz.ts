/**
 * npm run test:api-fuzz — schemathesis (PyPI) fuzzes the public API from its own OpenAPI document:
 * every operation with generated valid and invalid input, on a production build with the demo data
 * and an API key holding every scope. Fails on any 5xx, any response that does not match the
 * document (body schema, status code, content type). Needs `schemathesis` on PATH (or SCHEMATHESIS
 * naming the executable): `pip install schemathesis==4.32.5`.
 *
 * Fixed ports: app FUZZ_APP_PORT (3316), database FUZZ_DB_PORT (3315), Graph API simulator
 * FUZZ_SIM_PORT (3317). Env: FUZZ_MAX_EXAMPLES (25 per operation), FUZZ_DIST_DIR (.next-api-fuzz),
 * FUZZ_SKIP_BUILD=true to reuse it, FUZZ_SEED for a reproducible run, FUZZ_VERBOSE=true for the
 * app's log lines, FUZZ_ARGS for more schemathesis options (e.g. "--phases coverage").
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { buildNext, startNext } from "./lib/next-process";
import { startLocalDatabase, startMongoJavaServer } from "./lib/local-db";
import { onStop, runBench, startDemoWhatsApp, setAppEnv, waitForHealth } from "./bench/lib/app-server";

const ROOT = path.resolve(__dirname, "..");
const DIST = process.env.FUZZ_DIST_DIR ?? ".next-api-fuzz";
const APP_PORT = Number(process.env.FUZZ_APP_PORT ?? 3316);
const DB_PORT = Number(process.env.FUZZ_DB_PORT ?? 3315);
const SIM_PORT = Number(process.env.FUZZ_SIM_PORT ?? 3317);
const MAX_EXAMPLES = Number(process.env.FUZZ_MAX_EXAMPLES ?? 25);
const CHECKS = ["not_a_server_error", "response_schema_conformance", "status_code_conformance", "content_type_conformance"];

async function main(): Promise<boolean> {
  const dbServer = process.env.MONGODB_URI ? await startLocalDatabase({ persistent: false }) : await startMongoJavaServer({ port: DB_PORT });
  onStop(dbServer.stop);
  const appUrl = `http://127.0.0.1:${APP_PORT}`;
  setAppEnv("api_fuzz", dbServer.uri, appUrl);
  delete process.env.QSTASH_TOKEN;
  await startDemoWhatsApp(appUrl, SIM_PORT);
  const { seedDemoData } = await import("./seed/demo-data");

  const { closeClient } = await import("@/lib/db/client");
  const { rawCollection } = await import("@/lib/db/collections");
  const { ensureIndexes } = await import("@/lib/db/indexes");
  const { createApiKey } = await import("@/lib/api-keys/keys");
  const { apiResources } = await import("@/lib/schemas/api-key");
  await ensureIndexes();
  const { orgId } = await seedDemoData();
  const admin = (await rawCollection("users").findOne({ orgId, role: "admin" }))!;
  const { secret } = await createApiKey(orgId, { id: admin._id, name: admin.name }, { name: "fuzz", scopes: apiResources.map((r) => `${r}:admin` as const), rateLimitPerMinute: 100_000 });
  await closeClient();

  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: DIST };
  buildNext(DIST, env, { reuse: process.env.FUZZ_SKIP_BUILD === "true", cwd: ROOT });
  // FUZZ_VERBOSE=true shows the app's own log lines next to schemathesis's (LOG_LEVEL=info).
  const verbose = process.env.FUZZ_VERBOSE === "true";
  const server = startNext(["start", "-H", "127.0.0.1", "-p", String(APP_PORT)], verbose ? { ...env, LOG_LEVEL: "info" } : env, ROOT, { quiet: !verbose });
  onStop(async () => server.stop());
  await waitForHealth(appUrl, server.child);
  const args = [
    "--config-file",
    path.join(ROOT, "scripts/api-fuzz.toml"),
    "run",
    `${appUrl}/api/v1/openapi.json`,
    "--checks",
    CHECKS.join(","),
    "--header",
    `Authorization: Bearer ${secret}`,
    "--max-examples",
    String(MAX_EXAMPLES),
    "--workers",
    "2",
    // A send may wait out Meta's pair rate limit inside the request (lib/whatsapp/graph-client.ts retries 0.5 + 2 + 8 s).
    "--request-timeout",
    "30",
    ...(process.env.FUZZ_SEED ? ["--seed", process.env.FUZZ_SEED] : []),
    ...(process.env.FUZZ_ARGS ? process.env.FUZZ_ARGS.split(" ").filter(Boolean) : []),
  ];
  console.log(`[fuzz] schemathesis ${args.map((a) => (a.startsWith("Authorization") ? "Authorization: Bearer <key>" : a)).join(" ")}`);
  // Asynchronously: the Graph API simulator answering the app's sends lives in this process's event loop.
  const child = spawn(process.env.SCHEMATHESIS ?? "schemathesis", args, { stdio: "inherit", cwd: ROOT });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", (err) => reject(new Error(`could not run schemathesis (${err.message}); install it with pip install schemathesis==4.32.5`)));
    child.once("exit", resolve);
  });
  return code === 0;
}

runBench(main);
