import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

function descendants(pid: number): number[] {
  try {
    const children = execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number);
    return children.flatMap((c) => [c, ...descendants(c)]);
  } catch {
    return [];
  }
}

/**
 * Runs `next <args>` and stops it with everything it forked: `npx` and `next` start `next-server`
 * as a grandchild, which a plain kill of the direct child leaves running. The child stays in our
 * process group so a terminal's Ctrl+C and Playwright's group kill still reach it.
 */
export function startNext(args: string[], env: NodeJS.ProcessEnv, cwd?: string, opts: { quiet?: boolean } = {}): { child: ChildProcess; stop: () => void } {
  // quiet: benchmarks keep stderr only, so request logs do not bury their figures.
  const child = spawn("npx", ["next", ...args], { stdio: opts.quiet ? ["ignore", "ignore", "inherit"] : "inherit", env, cwd });
  const stop = () => {
    if (child.exitCode !== null || !child.pid) return;
    for (const pid of [child.pid, ...descendants(child.pid)].reverse()) {
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  };
  return { child, stop };
}

/**
 * `next build` into `distDir` (tests and benchmarks keep their own folders so they never overwrite a
 * running server's build). With `reuse`, an existing build is kept: rerunning a benchmark or the
 * e2e suite without code changes skips a minute of compiling.
 */
export function buildNext(distDir: string, env: NodeJS.ProcessEnv, options: { reuse: boolean; cwd: string }) {
  if (options.reuse && existsSync(path.join(options.cwd, distDir))) return;
  console.log(`[build] next build into ${distDir}...`);
  const build = spawnSync("npx", ["next", "build"], {
    cwd: options.cwd,
    env: { ...env, NEXT_DIST_DIR: distDir, NODE_ENV: "production" },
    stdio: "inherit",
  });
  if (build.status !== 0) throw new Error("next build failed");
}
