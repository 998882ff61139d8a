/**
 * npm test: starts one local database (mongo-java-server here, see scripts/lib/local-db.ts), runs the Vitest
 * unit + integration suites against it, then the Playwright end-to-end suite against a production
 * build. Extra arguments go to both runners' filters is not supported on purpose: run
 * `npm run test:unit -- <file>` or `npm run test:e2e -- <file>` for one file.
 */
import { spawnSync } from "node:child_process";
import { describeDb, startLocalDatabase } from "./lib/local-db";

function run(cmd: string, args: string[]) {
  const res = spawnSync(cmd, args, { stdio: "inherit", env: process.env });
  return res.status ?? 1;
}

async function main() {
  const db = await startLocalDatabase({ persistent: false });
  process.env.MONGODB_URI = db.uri;
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  console.log(`[test] database: ${describeDb(db)}`);
  let code = 0;
  try {
    code = run("npx", ["vitest", "run"]) || code;
    if (process.env.SKIP_E2E !== "true") code = run("npx", ["playwright", "test"]) || code;
  } finally {
    await db.stop();
  }
  process.exit(code);
}

main().catch((err) => {
  console.error(`[test] ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
