import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as health } from "@/app/api/health/route";
import { GET as listConversations } from "@/app/api/conversations/route";
import { scoped } from "@/lib/db/scoped";
import { signWhatsAppBody } from "@/lib/webhook/signature";
import { createOrg, request, routeParams } from "../support/factories";
import { insertSimAccount, SIM, startSimulatedWhatsApp } from "../support/graph-sim";
import { useQstashEnv } from "../support/jobs";
import { envelope, postWebhook } from "../support/whatsapp-webhook";

/**
 * The probe that found it: one signed envelope with 1,000 audio messages started ~1,000 media
 * downloads at once on the in-process driver; they shared the database pool with the requests and
 * /api/health timed out for 40 minutes. Downloads now queue (the job's concurrency) on their own
 * connection pool, and health and the inbox keep answering.
 */
const ITEMS = 1000;
const SENDERS = 10;

let stack: Awaited<ReturnType<typeof startSimulatedWhatsApp>>;
let inFlight = 0;
let maxInFlight = 0;
const realFetch = globalThis.fetch;

beforeAll(async () => {
  useQstashEnv({});
  stack = await startSimulatedWhatsApp();
  // Counts media byte downloads in flight (the Graph client's fetch of the media URL).
  globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!url.includes("/whatsapp_business/attachments/")) return realFetch(input, init);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    try {
      return await realFetch(input, init);
    } finally {
      inFlight--;
    }
  }) as typeof fetch;
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await stack.sim.stop();
  await stack.capture.stop();
});

async function timed<T>(fn: () => Promise<T>) {
  const started = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - started };
}

describe("a webhook with 1,000 media items", () => {
  it("queues the downloads, keeps /api/health and the inbox answering within a second, and stores every file", { timeout: 180_000 }, async () => {
    const org = await createOrg();
    const account = await insertSimAccount(org.orgId);
    const { id: mediaId } = stack.sim.sim.upload(Buffer.from("OggS fake voice note"), "audio/ogg", null).body as { id: string };
    const now = Math.floor(Date.now() / 1000);
    const senders = Array.from({ length: SENDERS }, (_, i) => `1415555${String(1000 + i)}`);
    const value = {
      contacts: senders.map((wa_id, i) => ({ profile: { name: `Burst ${i}` }, wa_id })),
      messages: Array.from({ length: ITEMS }, (_, i) => ({
        from: senders[i % SENDERS],
        id: `wamid.burst.${i}`,
        timestamp: String(now - ITEMS + i),
        type: "audio",
        audio: { id: mediaId, mime_type: "audio/ogg; codecs=opus", sha256: "abc", voice: true },
      })),
    };
    // Warm: the first request of a process loads modules, which is not what this measures.
    const listAll = async () => listConversations(await request(org.users.admin, "/api/conversations?view=all"), routeParams({}));
    expect((await listAll()).status).toBe(200);
    const raw = JSON.stringify(envelope({ ...account, displayPhoneNumber: account.displayPhoneNumber }, value));
    const res = await postWebhook(raw, { signature: signWhatsAppBody(raw, SIM.appSecret) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: "processed" });

    // Right after Meta's delivery, with the downloads queued behind it.
    const probe = await timed(() => health());
    expect(probe.value.status).toBe(200);
    expect(probe.ms).toBeLessThan(1000);
    // The inbox answers within a second too, with every sender's conversation.
    const inbox = await timed(() => listAll());
    expect(inbox.value.status).toBe(200);
    expect(inbox.ms).toBeLessThan(1000);
    expect((await inbox.value.json()).conversations.length).toBe(SENDERS);

    const messages = scoped(org.orgId)("messages");
    const deadline = Date.now() + 150_000;
    while ((await messages.countDocuments({ "media.download": "done" })) < ITEMS) {
      if (Date.now() > deadline) throw new Error(`only ${await messages.countDocuments({ "media.download": "done" })} of ${ITEMS} downloads finished`);
      expect(inFlight).toBeLessThanOrEqual(2);
      const mid = await timed(() => health());
      expect(mid.ms).toBeLessThan(1000);
      const list = await timed(() => listAll());
      expect(list.value.status).toBe(200);
      expect(list.ms).toBeLessThan(1000);
    }
    // Never the whole batch at once: at most the media-download job's concurrency.
    expect(maxInFlight).toBeGreaterThan(0);
    expect(maxInFlight).toBeLessThanOrEqual(2);
    expect(await messages.countDocuments({ type: "audio", "media.download": { $ne: "done" } })).toBe(0);
  });
});
