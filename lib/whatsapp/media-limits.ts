/**
 * What WhatsApp accepts as outbound media, by message type (Meta: business-phone-numbers/media).
 * The composer's upload route and sendMessage check files against it before anything reaches Meta.
 */
export type OutboundMediaType = "image" | "video" | "audio" | "document" | "sticker";

const MB = 1024 * 1024;

export const mediaRules: Record<OutboundMediaType, { mimeTypes: RegExp; maxBytes: number; label: string }> = {
  image: { mimeTypes: /^image\/(jpeg|png)$/, maxBytes: 5 * MB, label: "JPEG or PNG up to 5 MB" },
  video: { mimeTypes: /^video\/(mp4|3gpp)$/, maxBytes: 16 * MB, label: "MP4 or 3GPP up to 16 MB" },
  audio: { mimeTypes: /^audio\/(aac|amr|mpeg|mp4|ogg)(;.*)?$/, maxBytes: 16 * MB, label: "AAC, AMR, MP3, M4A or OGG up to 16 MB" },
  sticker: { mimeTypes: /^image\/webp$/, maxBytes: 500 * 1024, label: "WebP up to 500 KB" },
  document: {
    mimeTypes: /^(text\/plain|application\/(pdf|msword|vnd\.ms-excel|vnd\.ms-powerpoint|vnd\.openxmlformats-officedocument\.[\w.]+))$/,
    maxBytes: 100 * MB,
    label: "PDF, text or Office documents up to 100 MB",
  },
};

/** The message type a file is sent as (webp is a sticker, unknown types are refused with null). */
export function mediaTypeFor(mimeType: string): OutboundMediaType | null {
  for (const type of ["image", "sticker", "video", "audio", "document"] as const) {
    if (mediaRules[type].mimeTypes.test(mimeType)) return type;
  }
  return null;
}

/** A human reason the file cannot be sent as `type`, or null when it can. */
export function mediaProblem(type: OutboundMediaType, mimeType: string, size: number): string | null {
  const rule = mediaRules[type];
  if (!rule.mimeTypes.test(mimeType)) return `A ${type} must be ${rule.label} (got ${mimeType})`;
  if (size > rule.maxBytes) return `A ${type} must be ${rule.label} (got ${(size / MB).toFixed(1)} MB)`;
  return null;
}
