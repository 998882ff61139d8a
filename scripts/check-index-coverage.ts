/**
 * The index-coverage check over recorded command logs: `tsx scripts/check-index-coverage.ts <dir>`,
 * where <dir> holds `*.jsonl` logs written through DB_COMMAND_LOG (lib/db/command-log.ts), such as
 * the INDEX_COVERAGE_DIR that `npm test` records its suites into (it runs this same check after
 * them). Prints the report; exits 1 when a query shape is uncovered or nothing was recorded.
 */
import path from "node:path";
import { indexes } from "@/lib/db/indexes";
import { deliberateScans, deliberateScopes, residualFields } from "../tests/support/index-coverage/allow-list";
import { runIndexCoverageCheck } from "../tests/support/index-coverage/report";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: tsx scripts/check-index-coverage.ts <directory of *.jsonl command logs>");
  process.exit(2);
}
const { ok, text } = runIndexCoverageCheck(path.resolve(dir), indexes, { deliberateScans, deliberateScopes, residualFields });
console.log(text);
process.exit(ok ? 0 : 1);
