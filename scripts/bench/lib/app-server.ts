import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { startNext } from "../../lib/next-process";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

/** Everything a benchmark started, stopped newest first on exit, failure or Ctrl-C (no orphaned servers). */
const stops: (() => Promise<unknown>)[] = [];
export function onStop(stop: () => Promise<unknown>) {
  stops.push(stop);
}
async function cleanup() {
  for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
}

/** Runs a benchmark: exit code 0 when `main` reports its floor met, 1 when not or when it throws, 130 on a signal. */
export function runBench(main: () => Promise<boolean>) {
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void cleanup().then(() => process.exit(130)));
  main()
    .catch((err) => {
      console.error(`[bench] ${err instanceof Error ? err.stack : err}`);
      return false;
    })
    .then(async (ok) => {
      await cleanup();
      process.exit(ok ? 0 : 1);
    });
}

/** Waits until the production server answers /api/health (150 s at most), failing fast if it exits. */
export async function waitForHealth(url: string, server: ChildProcess) {
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null) throw new Error("the app server exited");
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not up yet
    }
    await sleep(250);
  }
  throw new Error("the app server did not start");
}

/**
 * `next start` of the build in `env.NEXT_DIST_DIR` on 127.0.0.1:`port`, stopped with the benchmark
 * (or earlier with the returned `stop`); returns once it is healthy, with the pid its process tree
 * grows from (see `processTreeCpuMs`).
 */
export async function startApp(port: number, env: NodeJS.ProcessEnv, cwd: string): Promise<{ pid: number; stop: () => Promise<void> }> {
  const server = startNext(["start", "-H", "127.0.0.1", "-p", String(port)], env, cwd, { quiet: true });
  const exited = new Promise((r) => server.child.once("exit", r));
  const stop = async () => {
    server.stop();
    await Promise.race([exited, sleep(10_000)]);
  };
  onStop(stop);
  await waitForHealth(`http://127.0.0.1:${port}`, server.child);
  return { pid: server.child.pid!, stop };
}

/**
 * CPU time (user + system, ms) used so far by a process and every process under it (`npx` ->
 * `next` -> `next-server`), from /proc (Linux). Sampled before and after a load, the difference
 * is the app server's CPU for that load.
 */
export function processTreeCpuMs(pid: number): number {
  const ticksPerMs = 100 / 1000; // USER_HZ: 100 on Linux
  let total = 0;
  const visit = (p: number) => {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${p}/stat`, "utf8");
    } catch {
      return; // exited
    }
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    total += (Number(fields[11]) + Number(fields[12])) / ticksPerMs;
    for (const task of readdirSync(`/proc/${p}/task`, { withFileTypes: false }) as string[]) {
      let children = "";
      try {
        children = readFileSync(`/proc/${p}/task/${task}/children`, "utf8");
      } catch {
        continue;
      }
      for (const c of children.split(" ").filter(Boolean)) visit(Number(c));
    }
  };
  visit(pid);
  return total;
}
