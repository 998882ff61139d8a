import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ObjectId } from "mongodb";
import { rawCollection } from "@/lib/db/collections";
import { startGraphSimulator, type GraphSimulatorHandle } from "../fakes/graph-simulator";

export const SIM = {
  accessToken: "sim-access-token",
  appSecret: "sim-app-secret",
  phoneNumberId: "106540352242922",
  wabaId: "102290129340398",
};

export type CapturedWebhook = { raw: string; signatureValid: boolean; body: Record<string, unknown> };

/** A stand-in for the app's webhook route: records every envelope and checks its signature. */
export async function startWebhookCapture(appSecret = SIM.appSecret) {
  const received: CapturedWebhook[] = [];
  let answer = 200;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const expected = Buffer.from(`sha256=${createHmac("sha256", appSecret).update(raw).digest("hex")}`);
      const got = Buffer.from(String(req.headers["x-hub-signature-256"] ?? ""));
      received.push({ raw, signatureValid: got.length === expected.length && timingSafeEqual(got, expected), body: JSON.parse(raw) });
      res.writeHead(answer).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/whatsapp`;
  return {
    url,
    received,
    answerWith(status: number) {
      answer = status;
    },
    /** The statuses (in arrival order) posted for one wamid. */
    statusesFor(wamid: string): string[] {
      return received.flatMap((w) =>
        ((w.body.entry as { changes: { value: { statuses?: { id: string; status: string }[] } }[] }[]) ?? [])
          .flatMap((e) => e.changes)
          .flatMap((c) => c.value.statuses ?? [])
          .filter((s) => s.id === wamid)
          .map((s) => s.status),
      );
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Points the app's configuration at a running simulator (call before the code under test reads env()). */
export async function pointEnvAtSimulator(sim: GraphSimulatorHandle) {
  process.env.WHATSAPP_GRAPH_API_URL = sim.url;
  process.env.WHATSAPP_ACCESS_TOKEN = SIM.accessToken;
  process.env.WHATSAPP_APP_SECRET = SIM.appSecret;
  process.env.WHATSAPP_PHONE_NUMBER_ID = SIM.phoneNumberId;
  process.env.WHATSAPP_BUSINESS_ACCOUNT_ID = SIM.wabaId;
  const { resetEnvCache } = await import("@/lib/env");
  resetEnvCache();
}

export async function startSimulator(webhookUrl: string, statusDelayMs = 5) {
  return startGraphSimulator({ webhookUrl, appSecret: SIM.appSecret, accessToken: SIM.accessToken, phoneNumberId: SIM.phoneNumberId, wabaId: SIM.wabaId, displayPhoneNumber: "+1 555 0100", statusDelayMs });
}

/** The WhatsApp account document for the simulated number (token from env). */
export async function insertSimAccount(orgId: ObjectId, phoneNumberId = SIM.phoneNumberId) {
  const now = new Date();
  const account = {
    _id: new ObjectId(), orgId, phoneNumberId, wabaId: SIM.wabaId, displayPhoneNumber: "+1 555 0100", verifiedName: "Test Co",
    accessToken: null, qualityRating: "GREEN", messagingLimit: "TIER_250", throughputMps: 80, status: "connected", events: [], tokenError: null,
    createdAt: now, updatedAt: now,
  };
  await rawCollection("whatsapp_accounts").insertOne(account);
  return account;
}

/**
 * The usual setup of a file that talks to "Meta": the Graph API simulator, its signed webhooks
 * collected by a capture server, and the app's configuration pointed at it.
 */
export async function startSimulatedWhatsApp() {
  const capture = await startWebhookCapture();
  const sim = await startSimulator(capture.url);
  await pointEnvAtSimulator(sim);
  return { capture, sim };
}
