import { readFileSync } from "node:fs";
import path from "node:path";
import { ObjectId } from "mongodb";
import { POST } from "@/app/api/webhooks/whatsapp/route";
import { rawCollection } from "@/lib/db/collections";
import { signWhatsAppBody } from "@/lib/webhook/signature";
import { createOrg, request } from "./factories";

export const APP_SECRET = "test-app-secret-for-webhooks";
export const VERIFY_TOKEN = "test-verify-token";
// Read by env() when setup-db's beforeAll resets the cache.
process.env.WHATSAPP_APP_SECRET = APP_SECRET;
process.env.WHATSAPP_VERIFY_TOKEN = VERIFY_TOKEN;

const FIXTURES = path.resolve(__dirname, "../fixtures/whatsapp");

/** A Meta payload from tests/fixtures/whatsapp (see SOURCES.md there). */
export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), "utf8"));
}

export type TestAccount = { _id: ObjectId; orgId: ObjectId; phoneNumberId: string; wabaId: string; displayPhoneNumber: string };

let counter = 0;
/** An organization (users of every role) with its own WhatsApp number, so tests never share state. */
export async function orgWithAccount(extra: { displayPhoneNumber?: string } = {}) {
  const org = await createOrg();
  const n = `${Date.now()}${counter++}`.slice(-9);
  const now = new Date();
  const account = {
    _id: new ObjectId(),
    orgId: org.orgId,
    phoneNumberId: `10${n}`,
    wabaId: `20${n}`,
    displayPhoneNumber: extra.displayPhoneNumber ?? "15550783881",
  };
  await rawCollection("whatsapp_accounts").insertOne({
    ...account, verifiedName: "Test Co", accessToken: null, qualityRating: "GREEN", messagingLimit: "TIER_250", throughputMps: 80,
    status: "connected", events: [], tokenError: null, createdAt: now, updatedAt: now,
  });
  return { ...org, account };
}

/** Points a fixture at an account: every `metadata.phone_number_id` and every `entry[].id` (WABA). */
export function forAccount(payload: Record<string, unknown>, account: Pick<TestAccount, "phoneNumberId" | "wabaId">) {
  const copy = structuredClone(payload) as { entry: { id: string; changes: { value: { metadata?: { phone_number_id: string } } }[] }[] };
  for (const entry of copy.entry) {
    entry.id = account.wabaId;
    for (const change of entry.changes) if (change.value.metadata) change.value.metadata.phone_number_id = account.phoneNumberId;
  }
  return copy as Record<string, unknown>;
}

/** POSTs a body to the webhook route exactly as Meta does: raw bytes, signed unless told otherwise. */
export async function postWebhook(body: string | Record<string, unknown>, opts: { signature?: string | null; headers?: Record<string, string> } = {}) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const signature = opts.signature === undefined ? signWhatsAppBody(raw, APP_SECRET) : opts.signature;
  const headers: Record<string, string> = { "content-type": "application/json", ...opts.headers };
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  return POST(await request(null, "/api/webhooks/whatsapp", { method: "POST", rawBody: raw, headers }));
}

/** Posts a fixture for the account and expects Meta's 200. */
export async function deliver(name: string | Record<string, unknown>, account: TestAccount) {
  const res = await postWebhook(forAccount(typeof name === "string" ? fixture(name) : name, account));
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
  return res.json() as Promise<{ received: true; outcome: string }>;
}

/** A minimal `messages` envelope for hand-written cases (the fixtures cover Meta's shapes). */
export function envelope(account: TestAccount, value: Record<string, unknown>) {
  return {
    object: "whatsapp_business_account",
    entry: [{ id: account.wabaId, changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: account.displayPhoneNumber, phone_number_id: account.phoneNumberId }, ...value } }] }],
  };
}

export function textMessage(from: string, id: string, body: string, timestamp = Math.floor(Date.now() / 1000), name = "Customer") {
  return { contacts: [{ profile: { name }, wa_id: from }], messages: [{ from, id, timestamp: String(timestamp), type: "text", text: { body } }] };
}
