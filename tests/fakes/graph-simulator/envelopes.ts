import { createHmac, randomBytes } from "node:crypto";

/**
 * Meta-shaped webhook envelopes (the shapes of the fixtures in /work/shared/fixtures/whatsapp) and
 * their delivery: escaped-unicode JSON, signed byte-exactly with X-Hub-Signature-256.
 */
export type Metadata = { wabaId: string; phoneNumberId: string; displayPhoneNumber: string };

/** A `wamid.` like Meta's: base64 of a small binary record embedding the customer's number. */
export function wamid(phone: string, direction: "in" | "out"): string {
  const digits = Buffer.from(phone.replace(/\D/g, "").slice(0, 20));
  const idHex = Buffer.from(randomBytes(direction === "in" ? 10 : 9).toString("hex").toUpperCase());
  const buf = Buffer.concat([
    Buffer.from([0x1c, 0x18, digits.length]),
    digits,
    Buffer.from([0x15, 0x02, 0x00, direction === "in" ? 0x12 : 0x11, 0x18, idHex.length]),
    idHex,
    Buffer.from([0x00]),
  ]);
  return `wamid.${buf.toString("base64")}`;
}

export function unixSeconds(at = Date.now()): string {
  return String(Math.floor(at / 1000));
}

export function messagesEnvelope(meta: Metadata, value: Record<string, unknown>) {
  return {
    object: "whatsapp_business_account",
    entry: [
      {
        id: meta.wabaId,
        changes: [
          {
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: meta.displayPhoneNumber, phone_number_id: meta.phoneNumberId },
              ...value,
            },
            field: "messages",
          },
        ],
      },
    ],
  };
}

/** Management webhooks (templates, account) have `entry.time` and a flat value, no metadata. */
export function managementEnvelope(wabaId: string, field: string, value: Record<string, unknown>) {
  return { entry: [{ id: wabaId, time: Math.floor(Date.now() / 1000), changes: [{ value, field }] }], object: "whatsapp_business_account" };
}

/** Meta signs the escaped-unicode form ("äöå" -> "\u00e4\u00f6\u00e5", lowercase hex). */
export function metaJson(body: unknown): string {
  return JSON.stringify(body).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function sign(raw: string, appSecret: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(raw, "utf8").digest("hex")}`;
}

export type Delivery = { at: Date; kind: string; body: unknown; status: number | null; error: string | null; attempts: number };

/** POSTs one envelope like Meta: signed, retried a few times on non-2xx (Meta retries for days). */
export async function postWebhook(url: string, appSecret: string, body: unknown, retries = 2): Promise<{ status: number | null; error: string | null; attempts: number }> {
  const raw = metaJson(body);
  let last: { status: number | null; error: string | null } = { status: null, error: null };
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": sign(raw, appSecret), "user-agent": "facebookexternalua" },
        body: raw,
      });
      await res.text().catch(() => "");
      last = { status: res.status, error: res.ok ? null : `HTTP ${res.status}` };
      if (res.ok) return { ...last, attempts: attempt };
    } catch (err) {
      last = { status: null, error: err instanceof Error ? err.message : String(err) };
    }
    if (attempt <= retries) await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
  }
  return { ...last, attempts: retries + 1 };
}
