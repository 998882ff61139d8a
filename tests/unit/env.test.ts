import { describe, expect, it } from "vitest";
import { integrations, parseEnv } from "@/lib/env";

const base = { MONGODB_URI: "mongodb://127.0.0.1:27017", NEXTAUTH_SECRET: "0123456789abcdef0123" };

describe("configuration", () => {
  it("names a missing variable", () => {
    expect(() => parseEnv({ NEXTAUTH_SECRET: base.NEXTAUTH_SECRET })).toThrow(/MONGODB_URI: MONGODB_URI is not set/);
  });
  it("names a malformed variable", () => {
    expect(() => parseEnv({ ...base, MONGODB_URI: "postgres://x" })).toThrow(/MONGODB_URI: MONGODB_URI must start with mongodb/);
    expect(() => parseEnv({ ...base, WHATSAPP_GRAPH_API_VERSION: "23" })).toThrow(/WHATSAPP_GRAPH_API_VERSION/);
    expect(() => parseEnv({ ...base, NEXTAUTH_SECRET: "short" })).toThrow(/NEXTAUTH_SECRET: NEXTAUTH_SECRET must be at least 16/);
  });
  it("refuses the signature escape hatch in production", () => {
    expect(() => parseEnv({ ...base, NODE_ENV: "production", DEV_SKIP_SIGNATURES: "true" })).toThrow(/DEV_SKIP_SIGNATURES/);
  });
  it("requires signing keys with a QStash token", () => {
    expect(() => parseEnv({ ...base, QSTASH_TOKEN: "t" })).toThrow(/QSTASH_CURRENT_SIGNING_KEY/);
  });
  it("switches unset integrations to their local stand-ins", () => {
    expect(integrations(parseEnv(base))).toEqual({ whatsapp: "unconfigured", ai: "offline", jobs: "in-process" });
    const real = parseEnv({ ...base, WHATSAPP_ACCESS_TOKEN: "t", GEMINI_API_KEY: "k", QSTASH_TOKEN: "q", QSTASH_CURRENT_SIGNING_KEY: "a", QSTASH_NEXT_SIGNING_KEY: "b" });
    expect(integrations(real)).toEqual({ whatsapp: "meta", ai: "gemini", jobs: "qstash" });
    const sim = parseEnv({ ...base, WHATSAPP_ACCESS_TOKEN: "t", WHATSAPP_GRAPH_API_URL: "http://127.0.0.1:4010" });
    expect(integrations(sim).whatsapp).toBe("simulator");
  });
  it("treats empty strings as unset", () => {
    expect(parseEnv({ ...base, GEMINI_API_KEY: "" }).GEMINI_API_KEY).toBeUndefined();
  });
});
