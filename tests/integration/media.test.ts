import { ObjectId } from "mongodb";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as upload } from "@/app/api/media/route";
import { GET as download } from "@/app/api/media/[fileId]/route";
import { scoped } from "@/lib/db/scoped";
import { jobRegistry } from "@/lib/jobs/registry";
import { runJob } from "@/lib/jobs/run-job";
import { readMedia } from "@/lib/whatsapp/media-store";
import { createConversation, createInboundMessage } from "../support/conversation-fixtures";
import { createOrg, request, routeParams, sessionCookie } from "../support/factories";
import { insertSimAccount, startSimulatedWhatsApp, startSimulator, startWebhookCapture } from "../support/graph-sim";

let capture: Awaited<ReturnType<typeof startWebhookCapture>>;
let sim: Awaited<ReturnType<typeof startSimulator>>;
let org: Awaited<ReturnType<typeof createOrg>>;
let other: Awaited<ReturnType<typeof createOrg>>;
let account: Awaited<ReturnType<typeof insertSimAccount>>;

const png = Buffer.from("89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc000000301010018dd8db00000000049454e44ae426082", "hex");

function multipart(file: { bytes: Uint8Array; type: string; name: string } | null, field = "file") {
  const form = new FormData();
  if (file) form.set(field, new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
  else form.set("note", "no file");
  return form;
}

/** A multipart upload as the browser sends it (binary body, so not through `request`'s string body). */
async function uploadAs(user: NonNullable<Parameters<typeof request>[0]>, form: FormData) {
  const encoded = new Response(form);
  const req = new NextRequest("http://127.0.0.1:3999/api/media", {
    method: "POST",
    headers: { cookie: await sessionCookie(user), "content-type": encoded.headers.get("content-type")! },
    body: new Uint8Array(await encoded.arrayBuffer()),
  });
  return upload(req, routeParams({}));
}

beforeAll(async () => {
  ({ capture, sim } = await startSimulatedWhatsApp());
  org = await createOrg();
  other = await createOrg("Other Org");
  account = await insertSimAccount(org.orgId);
});

afterAll(async () => {
  await sim.stop();
  await capture.stop();
});

describe("POST /api/media and GET /api/media/[fileId]", () => {
  it("stores an upload in GridFS and serves it only to the organization", async () => {
    const res = await uploadAs(org.users.agent, multipart({ bytes: png, type: "image/png", name: "dot.png" }));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({ fileId: expect.stringMatching(/^[a-f0-9]{24}$/), mimeType: "image/png", size: png.length, filename: "dot.png", type: "image" });

    const get = (user: Parameters<typeof request>[0], id = body.fileId) =>
      request(user, `/api/media/${id}`).then((req) => download(req, routeParams({ fileId: id })));
    const served = await get(org.users.viewer);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("content-disposition")).toBe("inline; filename*=UTF-8''dot.png");
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);

    const cases: { name: string; res: Promise<Response>; status: number; error: { code: string; message: string } }[] = [
      { name: "another organization", res: get(other.users.admin), status: 404, error: { code: "not_found", message: "File not found" } },
      { name: "signed out", res: get(null), status: 401, error: { code: "unauthorized", message: "Sign in to continue" } },
      { name: "unknown id", res: get(org.users.agent, new ObjectId().toHexString()), status: 404, error: { code: "not_found", message: "File not found" } },
      { name: "malformed id", res: get(org.users.agent, "nope"), status: 422, error: { code: "unprocessable_entity", message: "fileId: must be a 24-character hex id" } },
    ];
    for (const c of cases) {
      const r = await c.res;
      expect({ name: c.name, status: r.status, body: await r.json() }).toEqual({ name: c.name, status: c.status, body: { error: c.error } });
    }
  });

  it("serves documents of unknown types as downloads, never inline", async () => {
    const { conversation } = await createConversation(org.orgId, account._id);
    await sim.sim.customerSends("14155550111", { type: "text", text: "hi" });
    const m = await createInboundMessage(org.orgId, conversation, { type: "document", media: { waMediaId: "1", mimeType: "text/html" } });
    const { saveMedia } = await import("@/lib/whatsapp/media-store");
    const id = await saveMedia({ bytes: Buffer.from("<script>alert(1)</script>"), filename: "x.html", meta: { orgId: org.orgId, mimeType: "text/html", source: "inbound", messageId: m._id, uploadedBy: null } });
    const res = await download(await request(org.users.agent, `/api/media/${id}`), routeParams({ fileId: id.toHexString() }));
    expect(res.headers.get("content-disposition")).toMatch(/^attachment;/);
    expect(res.headers.get("content-security-policy")).toContain("sandbox");
  });

  const big = Buffer.alloc(5 * 1024 * 1024 + 1, 1);
  const errors: { name: string; user: "agent" | "viewer"; form: () => FormData | null; status: number; error: { code: string; message: string } }[] = [
    { name: "viewer may not upload", user: "viewer", form: () => multipart({ bytes: png, type: "image/png", name: "a.png" }), status: 403, error: { code: "forbidden", message: "Your role does not allow this action" } },
    { name: "not multipart", user: "agent", form: () => null, status: 400, error: { code: "bad_request", message: "Send the file as multipart/form-data in a field named \"file\"" } },
    { name: "no file field", user: "agent", form: () => multipart(null), status: 400, error: { code: "bad_request", message: "Send the file in a field named \"file\"" } },
    { name: "empty file", user: "agent", form: () => multipart({ bytes: new Uint8Array(0), type: "image/png", name: "a.png" }), status: 422, error: { code: "unprocessable_entity", message: "The file is empty" } },
    { name: "unsupported type", user: "agent", form: () => multipart({ bytes: Buffer.from("MZ"), type: "application/x-msdownload", name: "a.exe" }), status: 422, error: { code: "unprocessable_entity", message: "WhatsApp cannot send files of type application/x-msdownload" } },
    { name: "image over 5 MB", user: "agent", form: () => multipart({ bytes: big, type: "image/jpeg", name: "big.jpg" }), status: 422, error: { code: "unprocessable_entity", message: "A image must be JPEG or PNG up to 5 MB (got 5.0 MB)" } },
  ];
  it.each(errors)("refuses: $name", async ({ user, form, status, error }) => {
    const f = form();
    const res = f
      ? await uploadAs(org.users[user], f)
      : await upload(await request(org.users[user], "/api/media", { method: "POST", body: { file: "x" } }), routeParams({}));
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual({ error });
  });
});

describe("media-download job", () => {
  async function inboundImage() {
    const { conversation } = await createConversation(org.orgId, account._id);
    const waId = conversation.contact.phone!.slice(1);
    const before = capture.received.length;
    await sim.sim.customerSends(waId, { type: "image", caption: "my box" });
    const image = (capture.received[before]!.body as { entry: { changes: { value: { messages: { id: string; image: { id: string; mime_type: string; sha256: string } }[] } }[] }[] })
      .entry[0]!.changes[0]!.value.messages[0]!;
    const message = await createInboundMessage(org.orgId, conversation, {
      wamid: image.id,
      text: "my box",
      media: { waMediaId: image.image.id, mimeType: image.image.mime_type, sha256: image.image.sha256, caption: "my box" },
    });
    return { message, mediaId: image.image.id };
  }
  const run = (messageId: ObjectId, attempt = 1) =>
    runJob(jobRegistry, "media-download", { orgId: org.orgId.toHexString(), messageId: messageId.toHexString() }, { messageId: `test-${messageId.toHexString()}-${attempt}`, attempt });
  const load = async (id: ObjectId) => (await scoped(org.orgId)("messages").findOne({ _id: id }))!;

  beforeEach(() => {
    sim.sim.fail({ mediaDownloadFailures: 0 });
  });

  it("downloads the customer's image into GridFS, once", async () => {
    const { message, mediaId } = await inboundImage();
    expect(await run(message._id)).toEqual({ status: "completed" });
    const stored = await load(message._id);
    expect(stored.media).toMatchObject({ download: "done", downloadError: null, mimeType: "image/png", size: expect.any(Number) });
    const file = await readMedia(org.orgId, stored.media!.fileId!);
    expect(file!.bytes.equals(sim.sim.mediaBytes(mediaId)!.bytes)).toBe(true);
    expect(file!.meta).toMatchObject({ source: "inbound", messageId: message._id });
    expect(await readMedia(other.orgId, stored.media!.fileId!)).toBeNull();

    expect(await run(message._id, 2)).toEqual({ status: "completed" });
    expect((await load(message._id)).media!.fileId).toEqual(stored.media!.fileId);
  });

  it("records a failed download on the message and succeeds on a retry", async () => {
    const { message } = await inboundImage();
    sim.sim.fail({ mediaDownloadFailures: 1 });
    expect(await run(message._id)).toMatchObject({ status: "retry", final: false });
    expect((await load(message._id)).media).toMatchObject({ download: "failed", downloadError: expect.stringContaining("HTTP 500") });
    expect(await run(message._id, 2)).toEqual({ status: "completed" });
    expect((await load(message._id)).media).toMatchObject({ download: "done", downloadError: null });
  });

  it("gives up at once on an unknown media id and on files over the cap", async () => {
    const { conversation } = await createConversation(org.orgId, account._id);
    const gone = await createInboundMessage(org.orgId, conversation, { media: { waMediaId: "999999" } });
    expect(await run(gone._id)).toMatchObject({ status: "failed" });
    expect((await load(gone._id)).media).toMatchObject({ download: "failed", downloadError: expect.stringContaining("(#100)") });

    const { message } = await inboundImage();
    process.env.MEDIA_MAX_BYTES = "10";
    const { resetEnvCache } = await import("@/lib/env");
    resetEnvCache();
    try {
      expect(await run(message._id)).toMatchObject({ status: "failed", error: expect.stringContaining("the limit is 10") });
      expect((await load(message._id)).media).toMatchObject({ download: "failed", downloadError: expect.stringContaining("the limit is 10") });
    } finally {
      delete process.env.MEDIA_MAX_BYTES;
      resetEnvCache();
    }
  });
});
