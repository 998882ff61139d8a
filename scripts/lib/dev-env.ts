import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadEnvConfig } from "@next/env";

const ROOT = path.resolve(__dirname, "../..");

/**
 * Loads .env files the way Next does, then fills what a local run needs and a fresh clone lacks:
 * a stable dev NEXTAUTH_SECRET (kept in .data/, git-ignored) and the local URLs.
 */
export function loadDevEnv(port = Number(process.env.PORT ?? 3000)) {
  loadEnvConfig(ROOT, process.env.NODE_ENV !== "production");
  if (!process.env.NEXTAUTH_SECRET) {
    const file = path.join(ROOT, ".data/dev-secret");
    if (!existsSync(file)) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, randomBytes(32).toString("hex"));
    }
    process.env.NEXTAUTH_SECRET = readFileSync(file, "utf8").trim();
  }
  process.env.APP_URL ??= `http://localhost:${port}`;
  // A local CRM run should not phone home; set NEXT_TELEMETRY_DISABLED=0 to opt in.
  process.env.NEXT_TELEMETRY_DISABLED ??= "1";
  process.env.NEXTAUTH_URL ??= process.env.APP_URL;
}
