import path from "node:path";

/**
 * Where each suite's command logs go inside the run's INDEX_COVERAGE_DIR (set by `npm test`), and
 * which suite a log came from: Vitest writes one log per test file, the end-to-end app server one.
 */
const ROOT = path.resolve(__dirname, "../../..");
const VITEST = "vitest";
const E2E = "e2e-app-server.jsonl";

export function vitestLogFile(dir: string, testFile: string): string {
  return path.join(dir, VITEST, `${path.relative(ROOT, testFile).split(path.sep).join("__")}.jsonl`);
}

export function e2eLogFile(dir: string): string {
  return path.join(dir, E2E);
}

/** A log's source as the report names it: the Vitest test file, or the end-to-end suite. */
export function logSource(dir: string, file: string): string {
  const rel = path.relative(dir, file);
  if (rel === E2E) return "e2e (Playwright, app server)";
  if (rel.startsWith(`${VITEST}${path.sep}`)) return path.basename(rel, ".jsonl").split("__").join("/");
  return rel;
}

/** Whether a log was written by a Vitest worker (product code and the tests' own queries mixed). */
export function isVitestLog(dir: string, file: string): boolean {
  return path.relative(dir, file).startsWith(`${VITEST}${path.sep}`);
}
