// GET /api/media/[fileId]: the bytes of a stored media file, for signed-in users of its organization
import { Readable } from "node:stream";
import { z } from "zod";
import { ApiError } from "@/lib/api/errors";
import { idParam } from "@/lib/api/params";
import { withOrg } from "@/lib/api/with-org";
import { findMedia, openMediaStream } from "@/lib/whatsapp/media-store";

/** Only these render inline; anything else (a customer can send any document) is a download. */
const INLINE = /^(image\/(jpeg|png|webp|gif)|video\/(mp4|3gpp)|audio\/[\w.+-]+|application\/pdf)(;.*)?$/;

export const GET = withOrg({ permission: "read:conversations", params: z.object({ fileId: idParam }) }, async ({ orgId, params }) => {
  const file = await findMedia(orgId, params.fileId);
  if (!file) throw new ApiError("not_found", "File not found");
  const stream = Readable.toWeb(await openMediaStream(file.id)) as ReadableStream<Uint8Array>;
  const disposition = INLINE.test(file.meta.mimeType) ? "inline" : "attachment";
  return new Response(stream, {
    headers: {
      "content-type": file.meta.mimeType,
      "content-length": String(file.length),
      "content-disposition": `${disposition}; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      // Files never change once stored; private because they belong to one organization.
      "cache-control": "private, max-age=86400, immutable",
      "x-content-type-options": "nosniff",
      "content-security-policy": "sandbox; default-src 'none'; img-src 'self'; media-src 'self'",
    },
  });
});
