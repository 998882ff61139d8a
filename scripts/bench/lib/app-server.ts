import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { startGraphSimulator } from "../../../tests/fakes/graph-simulator";
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

/**
 * The environment of an app run on its own database by a benchmark or the API fuzz: `name` makes
 * its database, recurring jobs are off (they would add their own commands and compete for the
 * cores), and the command log of the parent shell is not inherited.
 */
export function setAppEnv(name: string, dbUri: string, appUrl: string) {
  Object.assign(process.env, {
    MONGODB_URI: dbUri,
    MONGODB_DB: `${name}_${Date.now()}`,
    APP_URL: appUrl,
    NEXTAUTH_URL: appUrl,
    NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? "bench-secret-0123456789abcdef",
    LOG_LEVEL: "warn",
    NEXT_TELEMETRY_DISABLED: "1",
    IN_PROCESS_SCHEDULER: "off",
  });
  delete process.env.DB_COMMAND_LOG;
}

const SIM_WABA_ID = "102290129340398";

/**
 * "Meta" for the demo organization's number: the Graph API simulator on `port`, whose signed
 * webhooks (statuses, replies) reach the app as Meta's would, and the WhatsApp environment that
 * points the app and the demo seed at it. Call before seeding the demo data.
 */
export async function startDemoWhatsApp(appUrl: string, port: number) {
  // Loaded here: the seed reads the environment set just above it.
  const { DEMO_PHONE_NUMBER_ID } = await import("../../seed/demo-data");
  const credentials = { accessToken: "bench-access-token", appSecret: "bench-app-secret" };
  Object.assign(process.env, {
    WHATSAPP_ACCESS_TOKEN: credentials.accessToken,
    WHATSAPP_APP_SECRET: credentials.appSecret,
    WHATSAPP_VERIFY_TOKEN: "bench-verify-token",
    WHATSAPP_BUSINESS_ACCOUNT_ID: SIM_WABA_ID,
    WHATSAPP_PHONE_NUMBER_ID: DEMO_PHONE_NUMBER_ID,
  });
  const sim = await startGraphSimulator({
    webhookUrl: `${appUrl}/api/webhooks/whatsapp`,
    ...credentials,
    phoneNumberId: DEMO_PHONE_NUMBER_ID,
    wabaId: SIM_WABA_ID,
    displayPhoneNumber: "+1 555 0100",
    statusDelayMs: 200,
    port,
  });
  onStop(sim.stop);
  process.env.WHATSAPP_GRAPH_API_URL = sim.url;
  return { sim, phoneNumberId: DEMO_PHONE_NUMBER_ID };
}
