import { timingSafeEqual } from "node:crypto";
import type { NextRequest } from "next/server";
import { env } from "@/lib/env";
import { receiveWebhook } from "@/lib/webhook/ingest";
import { withWhatsAppSignature } from "@/lib/webhook/signature";

// GET /api/webhooks/whatsapp: Meta's verification handshake (echo hub.challenge when the verify token matches)
export async function GET(req: NextRequest) {
  const q = req.nextUrl.searchParams;
  const expected = env().WHATSAPP_VERIFY_TOKEN;
  const token = Buffer.from(q.get("hub.verify_token") ?? "");
  const matches = !!expected && token.length === Buffer.byteLength(expected) && timingSafeEqual(token, Buffer.from(expected));
  const challenge = q.get("hub.challenge");
  if (q.get("hub.mode") !== "subscribe" || !matches || !challenge) {
    return Response.json({ error: { code: "forbidden", message: "Webhook verification failed: wrong hub.mode or hub.verify_token" } }, { status: 403 });
  }
  return new Response(challenge, { status: 200, headers: { "content-type": "text/plain; charset=utf-8" } });
}

// POST /api/webhooks/whatsapp: Meta's signed deliveries (messages, statuses, template, account and consent updates)
export const POST = withWhatsAppSignature(({ raw, requestId }) => receiveWebhook(raw, requestId));
