/** Runs once when the server starts: a missing or malformed variable stops it with a message naming it. */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { env, integrations } = await import("@/lib/env");
    const { log } = await import("@/lib/log");
    env();
    const active = integrations();
    log.info("server.started", { integrations: active });
    // A database with no user can only be set up through /setup, with this token.
    const { needsFirstRunSetup, setupToken } = await import("@/lib/setup/first-run");
    if (await needsFirstRunSetup().catch(() => false)) {
      const token = env().SETUP_TOKEN ? "the value of SETUP_TOKEN" : setupToken();
      log.warn("setup.required", { url: new URL("/setup", env().APP_URL).toString(), token });
    }
    // No QStash: recurring jobs run in this process (Vercel deployments use vercel.json crons instead).
    if (active.jobs === "in-process" && process.env.IN_PROCESS_SCHEDULER !== "off") {
      const { startInProcessScheduler } = await import("@/lib/jobs/in-process-scheduler");
      startInProcessScheduler();
    }
  }
}
