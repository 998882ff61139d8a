import { ObjectId } from "mongodb";
import { z } from "zod";
import { scoped } from "@/lib/db/scoped";
import { env } from "@/lib/env";
import { defineJob, PermanentJobError } from "@/lib/jobs/define-job";
import { log } from "@/lib/log";
import { graphClientFor, MediaTooLargeError } from "./graph-client";
import { GraphApiError } from "./graph-error";
import { deleteMedia, saveMedia } from "./media-store";

const payload = z.object({ orgId: z.string().regex(/^[a-f0-9]{24}$/i), messageId: z.string().regex(/^[a-f0-9]{24}$/i) });

/**
 * Inbound media: Meta's media id -> short-lived URL -> bytes -> GridFS. Runs after the webhook has
 * answered (a download can take seconds). A failure is written on the message (`media.download:
 * "failed"` + `downloadError`) so the inbox shows it, and the job retries; Meta keeps webhook media
 * for 7 days. Idempotent: a message already downloaded is left alone, a racing duplicate's file is removed.
 */
export const mediaDownloadJob = defineJob({
  name: "media-download",
  schema: payload,
  retries: 5,
  // Downloads hold a connection for the GridFS write: a burst of media waits its turn.
  concurrency: 2,
  async handle({ orgId: org, messageId }) {
    const orgId = new ObjectId(org);
    const messages = scoped(orgId)("messages");
    const message = await messages.findOne({ _id: new ObjectId(messageId) });
    if (!message) throw new PermanentJobError(`Message ${messageId} not found`);
    const media = message.media;
    if (!media?.waMediaId) throw new PermanentJobError(`Message ${messageId} has no WhatsApp media id`);
    if (media.download === "done") return { skipped: "already downloaded" };

    const fail = async (error: string) => {
      await messages.updateOne({ _id: message._id, "media.download": { $ne: "done" } }, { $set: { "media.download": "failed", "media.downloadError": error, updatedAt: new Date() } });
    };
    let file: { bytes: Buffer; mimeType: string; sha256: string | null };
    try {
      const client = await graphClientFor(orgId, message.accountId);
      file = await client.downloadMedia(media.waMediaId, { maxBytes: env().MEDIA_MAX_BYTES });
    } catch (err) {
      if (err instanceof MediaTooLargeError) {
        await fail(err.message);
        throw new PermanentJobError(err.message);
      }
      if (err instanceof GraphApiError) {
        await fail(`${err.message}${err.details ? `: ${err.details}` : ""}${err.httpStatus ? ` (HTTP ${err.httpStatus})` : ""}`);
        // 100: the media id is unknown (expired after 7 days, or never existed); retrying cannot help.
        if (err.code === 100 || err.kind === "not_configured") throw new PermanentJobError(err.message);
      }
      throw err;
    }

    const mimeType = media.mimeType ?? file.mimeType;
    const fileId = await saveMedia({
      bytes: file.bytes,
      filename: media.filename ?? `${media.waMediaId}.${extension(mimeType)}`,
      meta: { orgId, mimeType, source: "inbound", messageId: message._id, uploadedBy: null },
    });
    const res = await messages.updateOne(
      { _id: message._id, "media.download": { $ne: "done" } },
      {
        $set: {
          "media.fileId": fileId,
          "media.download": "done",
          "media.downloadError": null,
          "media.size": file.bytes.length,
          "media.mimeType": mimeType,
          "media.sha256": media.sha256 ?? file.sha256,
          updatedAt: new Date(),
        },
      },
    );
    if (res.modifiedCount === 0) {
      // A concurrent delivery of this job finished first: keep its file, drop ours.
      await deleteMedia(fileId);
      return { skipped: "downloaded concurrently" };
    }
    log.info("media.downloaded", { orgId: org, messageId, bytes: file.bytes.length });
    return { fileId: fileId.toHexString(), bytes: file.bytes.length };
  },
});

function extension(mimeType: string): string {
  const sub = mimeType.split("/")[1]?.split(";")[0] ?? "bin";
  return { jpeg: "jpg", "vnd.openxmlformats-officedocument.wordprocessingml.document": "docx", mpeg: "mp3", plain: "txt" }[sub] ?? sub;
}
