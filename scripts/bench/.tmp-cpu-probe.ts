// TEMPORARY probe (helper h9): CPU per request of the handshake route vs the webhook, sequential and concurrent.
import { createHmac } from "node:crypto";
import autocannon from "autocannon";
import { MongoClient, ObjectId } from "mongodb";
import { freePort, startLocalDatabase } from "../lib/local-db";
import { onStop, processTreeCpuMs, runBench, startApp } from "./lib/app-server";

const APP_SECRET = "s";
const sign = (b: string) => `sha256=${createHmac("sha256", APP_SECRET).update(b).digest("hex")}`;
async function main() {
  const dbs = await startLocalDatabase({ persistent: false });
  onStop(dbs.stop);
  const c = new MongoClient(dbs.uri); await c.connect(); onStop(() => c.close());
  const db = c.db("probe");
  const { indexes } = await import("@/lib/db/indexes");
  for (const [n, s] of Object.entries(indexes)) if (s.length) await db.collection(n).createIndexes(s);
  const orgId = new ObjectId(), accountId = new ObjectId(), now = new Date();
  const { defaultSettings } = await import("@/lib/schemas/settings");
  await db.collection("organizations").insertOne({ _id: orgId, name: "P", slug: "p", timezone: "UTC", createdAt: now, updatedAt: now });
  await db.collection("settings").insertOne({ ...defaultSettings, _id: new ObjectId(), orgId, updatedAt: now, updatedBy: null });
  await db.collection("whatsapp_accounts").insertOne({ _id: accountId, orgId, phoneNumberId: "1065", wabaId: "1022", displayPhoneNumber: "+1", verifiedName: "B", accessToken: null, qualityRating: "GREEN", messagingLimit: "T", throughputMps: 80, status: "connected", events: [], tokenError: null, createdAt: now, updatedAt: now });
  const port = await freePort(); const url = `http://127.0.0.1:${port}`;
  const app = await startApp(port, { ...process.env, NODE_ENV: "production", NEXT_DIST_DIR: ".next-bench", MONGODB_URI: dbs.uri, MONGODB_DB: "probe", APP_URL: url, NEXTAUTH_URL: url, NEXTAUTH_SECRET: "x".repeat(32), WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_VERIFY_TOKEN: "v", LOG_LEVEL: "warn", QSTASH_TOKEN: process.env.PROBE_QSTASH ? "t" : "", QSTASH_URL: process.env.PROBE_QSTASH ?? "", QSTASH_CURRENT_SIGNING_KEY: "a", QSTASH_NEXT_SIGNING_KEY: "b", AI_ENABLED: "false" }, "/work/main");
  const env = (i: number) => JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "1022", changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "1", phone_number_id: "1065" }, contacts: [{ profile: { name: `C${i % 50}` }, wa_id: `1650555${String(i % 50).padStart(4, "0")}` }], messages: [{ from: `1650555${String(i % 50).padStart(4, "0")}`, id: `wamid.P${i}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "hello there" } }] } }] }] });
  let k = 0;
  const measure = async (name: string, n: number, conns: number, req: () => { method: string; path: string; body?: string; headers?: Record<string, string> }) => {
    const before = processTreeCpuMs(app.pid);
    await new Promise((r, j) => autocannon({ url, connections: conns, amount: n, requests: [{ setupRequest: (r0: Record<string, unknown>) => ({ ...r0, ...req() }) }] } as never, (e, res) => (e ? j(e) : r(res))));
    console.log(name, ((processTreeCpuMs(app.pid) - before) / n).toFixed(2), "ms CPU/request");
  };
  const hook = () => { const b = env(k++); return { method: "POST", path: "/api/webhooks/whatsapp", body: b, headers: { "content-type": "application/json", "x-hub-signature-256": sign(b) } }; };
  const shake = () => ({ method: "GET", path: "/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=v&hub.challenge=1" });
  const { execFileSync } = await import("node:child_process");
  console.log(execFileSync("ps", ["-eo", "pid,ppid,rss,args", "--forest"], { encoding: "utf8" }).split("\n").filter((l) => /next|npx/.test(l)).map((l) => l.slice(0, 140)).join("\n"));
  await measure("warm handshake", 500, 4, shake);
  await measure("warm webhook", 500, 4, hook);
  await measure("handshake c1", 1000, 1, shake);
  await measure("handshake c16", 2000, 16, shake);
  await measure("webhook c1", 1000, 1, hook);
  await measure("webhook c16", 2000, 16, hook);
  await measure("health c1", 500, 1, () => ({ method: "GET", path: "/api/health" }));
  return true;
}
runBench(main);
