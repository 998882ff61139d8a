/**
 * npm test: starts one local database (mongo-java-server here, see scripts/lib/local-db.ts), runs the
 * Vitest unit + integration suites against it, then the Playwright end-to-end suite against a
 * production build (SKIP_E2E=true skips it), recording every database command the code under test
 * sends (INDEX_COVERAGE_DIR, lib/db/command-log.ts), then the index-coverage check over all of it
 * (tests/support/index-coverage/). It takes no file arguments on purpose: run
 * `npm run test:unit -- <file>` or `npm run test:e2e -- <file>` for one file (no recording, no check).
 *
 * The output ends with one line, `N passed, M failed`, which CI reads. It counts the tests of both
 * runners and the index-coverage check as one test; a runner that exits non-zero without a failing
 * test (a crash, an unhandled error, a web server that never started) counts as one failure. The
 * exit code is non-zero whenever M is.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { indexes } from "@/lib/db/indexes";
import { deliberateScans, deliberateScopes, residualFields } from "../tests/support/index-coverage/allow-list";
import { runIndexCoverageCheck } from "../tests/support/index-coverage/report";
import { describeDb, startLocalDatabase } from "./lib/local-db";

type Tally = { passed: number; failed: number };

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const res = spawnSync(cmd, args, { stdio: "inherit", env });
  return res.status ?? 1;
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

const settle = (t: Tally, code: number): Tally => (code !== 0 && t.failed === 0 ? { ...t, failed: 1 } : t);

type VitestJson = { numPassedTests: number; numFailedTests: number; testResults: { status: string; assertionResults: { status: string }[] }[] };

function vitestTally(file: string, code: number): Tally {
  const r = readJson<VitestJson>(file);
  // A file whose hooks or imports fail reports its tests as skipped: count the file as one failure.
  const brokenFiles = (r?.testResults ?? []).filter((f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed")).length;
  return settle({ passed: r?.numPassedTests ?? 0, failed: (r?.numFailedTests ?? 0) + brokenFiles }, code);
}

type PlaywrightJson = { stats: { expected: number; unexpected: number; flaky: number } };

function playwrightTally(file: string, code: number): Tally {
  const stats = readJson<PlaywrightJson>(file)?.stats;
  return settle({ passed: (stats?.expected ?? 0) + (stats?.flaky ?? 0), failed: stats?.unexpected ?? 0 }, code);
}

async function main() {
  const work = mkdtempSync(path.join(os.tmpdir(), "npm-test-"));
  const coverageDir = path.join(work, "index-coverage");
  const db = await startLocalDatabase({ persistent: false });
  process.env.MONGODB_URI = db.uri;
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  process.env.INDEX_COVERAGE_DIR = coverageDir;
  console.log(`[test] database: ${describeDb(db)}`);
  const tallies: Tally[] = [];
  try {
    const vitestJson = path.join(work, "vitest.json");
    const vitest = run("npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${vitestJson}`]);
    tallies.push(vitestTally(vitestJson, vitest));
    if (process.env.SKIP_E2E !== "true") {
      const playwrightJson = path.join(work, "playwright.json");
      const playwright = run("npx", ["playwright", "test", "--reporter=list,json"], { ...process.env, PLAYWRIGHT_JSON_OUTPUT_FILE: playwrightJson });
      tallies.push(playwrightTally(playwrightJson, playwright));
    }
  } finally {
    await db.stop();
  }

  const check = runIndexCoverageCheck(coverageDir, indexes, { deliberateScans, deliberateScopes, residualFields });
  console.log(`\n${check.text}\n`);
  if (!check.ok) console.log("[test] index coverage: the query shapes above have no index that serves them (declare one in lib/db/indexes.ts, or an allow-list entry with its reason)");
  tallies.push({ passed: check.ok ? 1 : 0, failed: check.ok ? 0 : 1 });
  const passed = tallies.reduce((n, t) => n + t.passed, 0);
  const failed = tallies.reduce((n, t) => n + t.failed, 0);
  if (failed) console.log(`[test] command logs and reports kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(`[test] ${err instanceof Error ? err.message : err}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
});
