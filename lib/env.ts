import { z } from "zod";

/**
 * The configuration contract (docs/configuration.md, .env.example). Parsed once, on first use and
 * at server start (instrumentation.ts), so a missing or malformed variable stops the server with a
 * message naming it. Optional integrations left unset select their local stand-ins (see `integrations`).
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();
const optionalUrl = optionalString.pipe(z.url().optional());

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  MONGODB_URI: z
    .string({ error: "MONGODB_URI is not set. `npm run dev` and `npm test` start a local database and set it for you." })
    .regex(/^mongodb(\+srv)?:\/\//, "MONGODB_URI must start with mongodb:// or mongodb+srv://"),
  MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,60}$/, "MONGODB_DB must be 1-60 letters, digits, _ or -").default("whatsapp_crm"),
  /** Connections per server instance (serverless: keep it small). */
  MONGODB_MAX_POOL_SIZE: z.coerce.number().int().min(1, "MONGODB_MAX_POOL_SIZE must be at least 1").max(500).default(20),
  /** Connections per instance for background jobs, apart from the requests' pool. */
  MONGODB_JOB_POOL_SIZE: z.coerce.number().int().min(1, "MONGODB_JOB_POOL_SIZE must be at least 1").max(100).default(5),
  /** How long an operation waits for a reachable server before it fails (and a webhook answers 503 so Meta retries). */
  MONGODB_SERVER_SELECTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** Test and benchmark runs only: append every database command to this JSON-lines file (lib/db/command-log.ts). */
  DB_COMMAND_LOG: optionalString,
  APP_URL: z.url().default("http://localhost:3000"),
  NEXTAUTH_URL: optionalUrl,
  NEXTAUTH_SECRET: z.string().min(16, "NEXTAUTH_SECRET must be at least 16 characters"),
  /**
   * The request header the deployment's proxy sets to the client's address (Vercel: x-real-ip).
   * Sign-in throttling and the audit log trust only this one; a client can write X-Forwarded-For.
   */
  TRUSTED_IP_HEADER: z.string().trim().toLowerCase().regex(/^[a-z0-9-]{1,64}$/, "TRUSTED_IP_HEADER is a header name such as x-real-ip").default("x-real-ip"),
  /** The first-run setup page's token; unset, one derived from NEXTAUTH_SECRET is printed in the server log. */
  SETUP_TOKEN: optionalString.pipe(z.string().min(12, "SETUP_TOKEN must be at least 12 characters").optional()),

  WHATSAPP_APP_SECRET: optionalString,
  WHATSAPP_VERIFY_TOKEN: optionalString,
  WHATSAPP_ACCESS_TOKEN: optionalString,
  WHATSAPP_PHONE_NUMBER_ID: optionalString.pipe(z.string().regex(/^\d+$/, "WHATSAPP_PHONE_NUMBER_ID must be digits").optional()),
  WHATSAPP_BUSINESS_ACCOUNT_ID: optionalString.pipe(z.string().regex(/^\d+$/, "WHATSAPP_BUSINESS_ACCOUNT_ID must be digits").optional()),
  WHATSAPP_GRAPH_API_URL: z.url().default("https://graph.facebook.com"),
  WHATSAPP_GRAPH_API_VERSION: z.string().regex(/^v\d+\.\d+$/, "WHATSAPP_GRAPH_API_VERSION looks like v23.0").default("v23.0"),
  /** Max webhook body in bytes; Meta documents payloads up to 3 MB. */
  WHATSAPP_WEBHOOK_MAX_BYTES: z.coerce.number().int().positive().default(3 * 1024 * 1024),
  /** Largest media file stored in GridFS (inbound downloads and composer uploads). */
  MEDIA_MAX_BYTES: z.coerce.number().int().positive().default(25 * 1024 * 1024),

  GEMINI_API_KEY: optionalString,
  GEMINI_BASE_URL: optionalUrl,
  GEMINI_MODEL: z.string().default("gemini-2.5-flash"),
  /** Seconds an AI reply waits for the rest of a customer's burst of messages (0: answer at once). */
  AI_REPLY_DEBOUNCE_SECONDS: z.coerce.number().int().min(0).max(60).default(2),

  QSTASH_TOKEN: optionalString,
  QSTASH_URL: optionalUrl,
  QSTASH_CURRENT_SIGNING_KEY: optionalString,
  QSTASH_NEXT_SIGNING_KEY: optionalString,

  CRON_SECRET: optionalString,
  /** Development-only escape hatch for signature checks; refused in production (see assertion below). */
  DEV_SKIP_SIGNATURES: z
    .enum(["true", "false", ""])
    .optional()
    .transform((v) => v === "true"),
  /** How long one outbound webhook attempt may take, connection to the end of the response (ms). */
  OUTBOUND_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(10_000),
  /**
   * Lets outbound webhook endpoints be plain-http loopback URLs (127.0.0.1, localhost) in a
   * production build: the end-to-end tests' receiver. Outside production they always may.
   */
  OUTBOUND_WEBHOOKS_ALLOW_LOOPBACK: z
    .enum(["true", "false", ""])
    .optional()
    .transform((v) => v === "true"),
  /** Shows the customer simulator page and its API (dev and tests, never production). */
  SIMULATOR_ENABLED: z
    .enum(["true", "false", ""])
    .optional()
    .transform((v) => v === "true"),
});

export type Env = z.infer<typeof envSchema>;

let cached: Env | undefined;

export class ConfigError extends Error {
  name = "ConfigError";
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${i.path.join(".") || "env"}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}\nSee .env.example for every variable.`);
  }
  const env = result.data;
  if (env.NODE_ENV === "production" && env.DEV_SKIP_SIGNATURES) {
    throw new ConfigError("Invalid configuration:\n  - DEV_SKIP_SIGNATURES: must not be true in production");
  }
  if (env.QSTASH_TOKEN && !(env.QSTASH_CURRENT_SIGNING_KEY && env.QSTASH_NEXT_SIGNING_KEY)) {
    throw new ConfigError(
      "Invalid configuration:\n  - QSTASH_CURRENT_SIGNING_KEY / QSTASH_NEXT_SIGNING_KEY: required when QSTASH_TOKEN is set",
    );
  }
  return env;
}

export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Tests change process.env between files; this drops the cached parse. */
export function resetEnvCache() {
  cached = undefined;
}

export type Integrations = {
  whatsapp: "meta" | "simulator" | "unconfigured";
  ai: "gemini" | "offline";
  jobs: "qstash" | "in-process";
};

/** Which real service or local stand-in each integration uses; shown in the UI. */
export function integrations(e: Env = env()): Integrations {
  const graphIsMeta = new URL(e.WHATSAPP_GRAPH_API_URL).hostname === "graph.facebook.com";
  return {
    whatsapp: !e.WHATSAPP_ACCESS_TOKEN ? "unconfigured" : graphIsMeta ? "meta" : "simulator",
    ai: e.GEMINI_API_KEY ? "gemini" : "offline",
    jobs: e.QSTASH_TOKEN ? "qstash" : "in-process",
  };
}
