import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeClient } from "@/lib/db/client";
import { ensureIndexes } from "@/lib/db/indexes";
import { scoped } from "@/lib/db/scoped";
import { resetEnvCache } from "@/lib/env";
import { freePort, startMongoJavaServer, type LocalDb } from "../../scripts/lib/local-db";
import { envelope, orgWithAccount, postWebhook, textMessage } from "../support/whatsapp-webhook";

/**
 * A real outage, not a mock: this file runs its own mongo-java-server on an H2 file, stops it while
 * signed messages stream in, and starts it again on the same port and file (what an Atlas failover
 * or a network partition looks like to the driver). Meta's contract: a 2xx means "stored, do not
 * resend"; anything else is resent. So every 2xx must be stored, every refusal must be a 503 that
 * says when to retry, and the resends must leave each message stored once with exact unread counts.
 */
const PHONES = ["14155550201", "14155550202", "14155550203", "14155550204", "14155550205"];
const MESSAGES = 90;
const CONCURRENCY = 4;

let dir: string;
let port: number;
let server: LocalDb | undefined;
const start = async () => (server = await startMongoJavaServer({ port, h2File: path.join(dir, "outage.mv.db") }));

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "crm-outage-"));
  port = await freePort();
  await start();
  await closeClient();
  process.env.MONGODB_URI = `mongodb://127.0.0.1:${port}/?directConnection=true`;
  // Fail fast while the server is down, as a production deployment tuned for webhooks would.
  process.env.MONGODB_SERVER_SELECTION_TIMEOUT_MS = "700";
  resetEnvCache();
  await ensureIndexes();
}, 120_000);

afterAll(async () => {
  await closeClient();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the database goes away mid-stream and comes back", () => {
  it("stores every acknowledged message, answers 503 with Retry-After for the rest, and the resends store each message once", async () => {
    const { orgId, account } = await orgWithAccount();
    const bodies = Array.from({ length: MESSAGES }, (_, i) =>
      envelope(account, textMessage(PHONES[i % PHONES.length]!, `wamid.outage-${i}`, `message ${i}`, Math.floor(Date.now() / 1000) + i)),
    );
    const answers = new Map<number, { status: number; retryAfter: string | null; code?: string }>();

    let next = 0;
    let stopped: Promise<void> | undefined;
    let restarted: Promise<unknown> | undefined;
    async function worker() {
      while (next < MESSAGES) {
        const i = next++;
        // The engine dies a third of the way in, with requests in flight, and is back at two thirds.
        if (i === 30) stopped = server!.stop();
        if (i === 60) restarted = stopped!.then(start);
        if (i > 30 && i < 60) await stopped;
        if (i >= 60) await restarted;
        const res = await postWebhook(bodies[i]!);
        const body = res.status === 200 ? undefined : ((await res.json()) as { error: { code: string } });
        answers.set(i, { status: res.status, retryAfter: res.headers.get("retry-after"), code: body?.error.code });
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const refused = [...answers].filter(([, a]) => a.status !== 200);
    // The outage was real: the messages sent while the engine was down were refused...
    expect(refused.length).toBeGreaterThanOrEqual(25);
    // ...and every refusal is the one Meta retries on, saying when.
    expect(refused.filter(([, a]) => a.status !== 503 || a.retryAfter !== "5" || a.code !== "service_unavailable")).toEqual([]);
    // Once the engine was back, messages were taken again.
    expect([...answers].filter(([i, a]) => i >= 62 && a.status !== 200)).toEqual([]);

    const messages = scoped(orgId)("messages");
    const stored = new Set((await messages.find({}, { projection: { waMessageId: 1 } }).toArray()).map((m) => m.waMessageId as string));
    const acknowledgedButLost = [...answers].filter(([i, a]) => a.status === 200 && !stored.has(`wamid.outage-${i}`)).map(([i]) => i);
    expect(acknowledgedButLost).toEqual([]);

    // Meta resends every refused delivery; all of them are taken now.
    for (const [i] of refused) expect((await postWebhook(bodies[i]!)).status).toBe(200);

    // Customers' messages only: the organization's automatic replies (away message, AI) are not counted.
    const all = await messages.find({ direction: "inbound" }, { projection: { waMessageId: 1, conversationId: 1 } }).toArray();
    expect(all).toHaveLength(MESSAGES);
    expect(new Set(all.map((m) => m.waMessageId)).size).toBe(MESSAGES);
    const conversations = await scoped(orgId)("conversations").find({}, { projection: { unreadCount: 1 } }).toArray();
    expect(conversations).toHaveLength(PHONES.length);
    const perConversation = new Map<string, number>();
    for (const m of all) perConversation.set(m.conversationId.toHexString(), (perConversation.get(m.conversationId.toHexString()) ?? 0) + 1);
    expect(conversations.map((c) => [c._id.toHexString(), c.unreadCount])).toEqual(conversations.map((c) => [c._id.toHexString(), perConversation.get(c._id.toHexString())]));
    expect(await scoped(orgId)("contacts").countDocuments({})).toBe(PHONES.length);
  }, 180_000);
});
