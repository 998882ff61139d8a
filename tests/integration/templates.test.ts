import { ObjectId } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listTemplates } from "@/app/api/templates/route";
import { POST as syncRoute } from "@/app/api/templates/sync/route";
import { scoped } from "@/lib/db/scoped";
import { syncTemplates } from "@/lib/whatsapp/templates";
import { createOrg, request, routeParams } from "../support/factories";
import { insertSimAccount, SIM, startSimulatedWhatsApp, startSimulator, startWebhookCapture } from "../support/graph-sim";

let capture: Awaited<ReturnType<typeof startWebhookCapture>>;
let sim: Awaited<ReturnType<typeof startSimulator>>;
let org: Awaited<ReturnType<typeof createOrg>>;
let account: Awaited<ReturnType<typeof insertSimAccount>>;

beforeAll(async () => {
  ({ capture, sim } = await startSimulatedWhatsApp());
  org = await createOrg();
  account = await insertSimAccount(org.orgId);
});

afterAll(async () => {
  await sim.stop();
  await capture.stop();
});

describe("syncTemplates", () => {
  it("mirrors Meta's templates, upserting by waba:name:language and marking vanished ones DELETED", async () => {
    const first = await syncTemplates(org.orgId, account._id);
    expect(first).toMatchObject({ total: 5, created: 5, removed: 0 });
    const stored = await scoped(org.orgId)("whatsapp_templates").find({}, { sort: { name: 1 } }).toArray();
    expect(stored.map((t) => [t.name, t.status, t.category, t.parameterFormat, t.rejectedReason])).toEqual([
      ["appointment_reminder", "APPROVED", "UTILITY", "named", null],
      ["flash_sale_blast", "REJECTED", "MARKETING", "positional", "PROMOTIONAL"],
      ["hello_world", "APPROVED", "UTILITY", "positional", null],
      ["order_shipped", "APPROVED", "UTILITY", "positional", null],
      ["welcome_offer", "APPROVED", "MARKETING", "positional", null],
    ]);
    const shipped = stored.find((t) => t.name === "order_shipped")!;
    expect(shipped).toMatchObject({ key: `${SIM.wabaId}:order_shipped:en_US`, metaId: "1689556908129832", language: "en_US", accountId: account._id, qualityScore: "GREEN" });
    expect(shipped.components[0]).toMatchObject({ type: "BODY", text: "Hi {{1}}, your order {{2}} has shipped and should arrive by {{3}}." });

    const now = new Date();
    await scoped(org.orgId)("whatsapp_templates").insertOne({
      _id: new ObjectId(), accountId: account._id, wabaId: SIM.wabaId, metaId: "1", name: "old_promo", language: "en_US", category: "MARKETING", status: "APPROVED",
      qualityScore: null, rejectedReason: null, parameterFormat: "positional", components: [], key: `${SIM.wabaId}:old_promo:en_US`, syncedAt: now, createdAt: now, updatedAt: now,
    });
    sim.sim.createTemplate({ name: "new_arrivals", language: "es", category: "MARKETING", components: [{ type: "BODY", text: "Novedades" }] });
    const second = await syncTemplates(org.orgId, account._id);
    expect(second).toMatchObject({ total: 6, created: 1, removed: 1 });
    expect(await scoped(org.orgId)("whatsapp_templates").countDocuments()).toBe(7);
    expect((await scoped(org.orgId)("whatsapp_templates").findOne({ name: "old_promo" }))!.status).toBe("DELETED");
    expect((await scoped(org.orgId)("whatsapp_templates").findOne({ name: "new_arrivals" }))!.status).toBe("PENDING");
  });
});

describe("templates API", () => {
  const sync = async (user: Parameters<typeof request>[0], body?: unknown) =>
    syncRoute(await request(user, "/api/templates/sync", { method: "POST", ...(body === undefined ? {} : { body }) }), routeParams({}));
  const list = async (user: Parameters<typeof request>[0], qs = "") => listTemplates(await request(user, `/api/templates${qs}`), routeParams({}));

  it("lets an admin sync and any signed-in user list (the composer asks for APPROVED)", async () => {
    const res = await sync(org.users.admin);
    expect(res.status).toBe(200);
    expect((await res.json()).results).toEqual([expect.objectContaining({ accountId: account._id.toHexString(), total: 6 })]);
    const approved = await (await list(org.users.agent, "?status=APPROVED")).json();
    expect(approved.templates.map((t: { name: string }) => t.name)).toEqual(["appointment_reminder", "hello_world", "order_shipped", "welcome_offer"]);
    expect(approved.templates[2]).toEqual({
      id: expect.stringMatching(/^[a-f0-9]{24}$/), accountId: account._id.toHexString(), name: "order_shipped", language: "en_US", category: "UTILITY", status: "APPROVED",
      qualityScore: "GREEN", rejectedReason: null, parameterFormat: "positional", components: expect.any(Array), syncedAt: expect.any(String),
    });
    expect((await (await list(org.users.viewer)).json()).templates.length).toBeGreaterThanOrEqual(6);
  });

  it("syncs one account when asked", async () => {
    const res = await sync(org.users.admin, { accountId: account._id.toHexString() });
    expect(res.status).toBe(200);
  });

  const errors: { name: string; res: () => Promise<Response>; status: number; error: { code: string; message: string } }[] = [
    { name: "agent may not sync", res: () => sync(org.users.agent), status: 403, error: { code: "forbidden", message: "Your role does not allow this action" } },
    { name: "signed out list", res: () => list(null), status: 401, error: { code: "unauthorized", message: "Sign in to continue" } },
    { name: "unknown status filter", res: () => list(org.users.agent, "?status=GREAT"), status: 422, error: { code: "unprocessable_entity", message: 'status: Invalid option: expected one of "APPROVED"|"PENDING"|"REJECTED"|"PAUSED"|"DISABLED"|"DELETED"' } },
    { name: "unknown account", res: () => sync(org.users.admin, { accountId: new ObjectId().toHexString() }), status: 404, error: { code: "not_found", message: "No WhatsApp account to sync templates from" } },
    { name: "malformed account id", res: () => sync(org.users.admin, { accountId: "x" }), status: 422, error: { code: "unprocessable_entity", message: "accountId: must be a 24-character hex id" } },
  ];
  it.each(errors)("refuses: $name", async ({ res, status, error }) => {
    const r = await res();
    expect(r.status).toBe(status);
    expect(await r.json()).toEqual({ error });
  });

  it("answers 503 with Meta's reason when the token is refused, and records it for admins", async () => {
    sim.sim.accessToken = "rotated";
    try {
      const r = await sync(org.users.admin);
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ error: { code: "service_unavailable", message: "Meta refused the template list for +1 555 0100: (#190) Invalid OAuth access token - Cannot parse access token" } });
      expect((await scoped(org.orgId)("whatsapp_accounts").findOne({ _id: account._id }))!.tokenError).toMatchObject({ code: 190 });
    } finally {
      sim.sim.accessToken = SIM.accessToken;
    }
  });
});
