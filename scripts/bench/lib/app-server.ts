import type { ChildProcess } from "node:child_process";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
