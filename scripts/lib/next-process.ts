import { spawn, type ChildProcess } from "node:child_process";

/**
 * Runs `next <args>` in its own process group so stopping it also stops `next-server`, which `npx`
 * and `next` fork and which a plain kill of the direct child leaves running.
 */
export function startNext(args: string[], env: NodeJS.ProcessEnv, cwd?: string): { child: ChildProcess; stop: () => void } {
  const child = spawn("npx", ["next", ...args], { stdio: "inherit", env, cwd, detached: true });
  const stop = () => {
    if (child.exitCode !== null || !child.pid) return;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      child.kill("SIGTERM");
    }
  };
  return { child, stop };
}
