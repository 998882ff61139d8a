import { readFileSync } from "node:fs";
import path from "node:path";
import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { normalizeKeyword } from "@/lib/schemas/settings";
import { inboundMessageSchema } from "@/lib/webhook/envelope";
import { previewOf, toMessageDoc } from "@/lib/webhook/messages";
import { advances } from "@/lib/webhook/statuses";
import { isValidWhatsAppSignature, signWhatsAppBody } from "@/lib/webhook/signature";

const firstMessage = (name: string) =>
  inboundMessageSchema.parse(JSON.parse(readFileSync(path.resolve(__dirname, `../fixtures/whatsapp/${name}.json`), "utf8")).entry[0].changes[0].value.messages[0]);
const ids = { orgId: new ObjectId(), accountId: new ObjectId(), contactId: new ObjectId(), conversationId: new ObjectId(), replyToMessageId: null };

describe("webhook normalisation", () => {
  it("stores inbound media as a pending download of Meta's media id", () => {
    const doc = toMessageDoc(firstMessage("inbound_image"), ids, undefined);
    expect(doc.media).toEqual({ waMediaId: "1003383421387256", mimeType: "image/jpeg", sha256: "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=", filename: null, caption: "Taj Mahal", size: null, fileId: null, download: "pending", downloadError: null });
    expect(toMessageDoc(firstMessage("inbound_text"), ids, undefined).media).toBeNull();
  });

  it("derives the same _id for the same wamid in the same organization only", () => {
    const m = firstMessage("inbound_text");
    expect(toMessageDoc(m, ids, undefined)._id).toEqual(toMessageDoc(m, { ...ids, contactId: new ObjectId() }, undefined)._id);
    expect(toMessageDoc(m, { ...ids, orgId: new ObjectId() }, undefined)._id).not.toEqual(toMessageDoc(m, ids, undefined)._id);
  });

  it("previews a message by its text, else by its kind", () => {
    expect(previewOf(toMessageDoc(firstMessage("inbound_audio_voice"), ids, undefined))).toBe("Voice message");
    expect(previewOf(toMessageDoc(firstMessage("inbound_audio_file_forwarded"), ids, undefined))).toBe("Audio");
    expect(previewOf(toMessageDoc(firstMessage("inbound_document"), ids, undefined))).toBe("my receipt");
    expect(previewOf({ type: "text", text: "x".repeat(200), media: null })).toHaveLength(120);
  });

  it.each([
    [" stop ", "STOP"],
    ["Stop!", "STOP"],
    ["¡Baja!", "BAJA"],
    ["stop   all", "STOP ALL"],
    ["STOP.", "STOP"],
  ])("normalises the keyword %j to %j", (input, expected) => expect(normalizeKeyword(input)).toBe(expected));

  it("moves statuses only up the ladder and never out of failed", () => {
    expect(advances(null, "sent")).toBe(true);
    expect(advances("pending", "delivered")).toBe(true);
    expect(advances("read", "delivered")).toBe(false);
    expect(advances("read", "played")).toBe(true);
    expect(advances("failed", "read")).toBe(false);
    expect(advances("sent", "failed")).toBe(true);
  });

  it("checks Meta's signature over the exact bytes", () => {
    const raw = Buffer.from('{"a":"\\u00e4"}');
    const sig = signWhatsAppBody(raw, "s3cret");
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(isValidWhatsAppSignature(raw, sig, "s3cret")).toBe(true);
    expect(isValidWhatsAppSignature(Buffer.from('{"a":"ä"}'), sig, "s3cret")).toBe(false);
    expect(isValidWhatsAppSignature(raw, null, "s3cret")).toBe(false);
    expect(isValidWhatsAppSignature(raw, sig.slice(0, -1), "s3cret")).toBe(false);
  });
});
