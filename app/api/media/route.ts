// POST /api/media: upload a file from the composer to GridFS, checked against WhatsApp's media limits
import { ApiError } from "@/lib/api/errors";
import { readRawBody } from "@/lib/api/read-json";
import { withOrg } from "@/lib/api/with-org";
import { env } from "@/lib/env";
import { mediaProblem, mediaTypeFor } from "@/lib/whatsapp/media-limits";
import { saveMedia } from "@/lib/whatsapp/media-store";

/** Multipart framing on top of the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

export const POST = withOrg({ permission: "write:messages" }, async ({ req, orgId, user }) => {
  const contentType = req.headers.get("content-type") ?? "";
  if (!contentType.startsWith("multipart/form-data")) throw new ApiError("bad_request", "Send the file as multipart/form-data in a field named \"file\"");
  const max = env().MEDIA_MAX_BYTES;
  const raw = await readRawBody(req, max + MULTIPART_OVERHEAD);
  let form: FormData;
  try {
    form = await new Request(req.url, { method: "POST", headers: { "content-type": contentType }, body: new Uint8Array(raw) }).formData();
  } catch {
    throw new ApiError("bad_request", "The multipart body could not be read");
  }
  const file = form.get("file");
  if (!file || typeof file === "string") throw new ApiError("bad_request", "Send the file in a field named \"file\"");
  if (file.size === 0) throw new ApiError("unprocessable_entity", "The file is empty");
  if (file.size > max) throw new ApiError("payload_too_large", `The file is larger than ${max} bytes`);
  const mimeType = file.type.toLowerCase();
  const type = mediaTypeFor(mimeType);
  if (!type) throw new ApiError("unprocessable_entity", `WhatsApp cannot send files of type ${mimeType || "unknown"}`);
  const problem = mediaProblem(type, mimeType, file.size);
  if (problem) throw new ApiError("unprocessable_entity", problem);
  const filename = (file.name || `upload.${mimeType.split("/")[1]}`).replace(/[\\/\r\n]/g, "_").slice(0, 200);
  const fileId = await saveMedia({
    bytes: new Uint8Array(await file.arrayBuffer()),
    filename,
    meta: { orgId, mimeType, source: "upload", messageId: null, uploadedBy: user._id },
  });
  return { fileId: fileId.toHexString(), mimeType, size: file.size, filename, type };
});
