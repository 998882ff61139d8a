/** Runs once when the server starts: a missing or malformed variable stops it with a message naming it. */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { env, integrations } = await import("@/lib/env");
    const { log } = await import("@/lib/log");
    env();
    log.info("server.started", { integrations: integrations() });
  }
}
