import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { POST as dryRunRoute } from "@/app/api/contact-imports/[id]/dry-run/route";
import { POST as reportRoute } from "@/app/api/contact-imports/[id]/report/route";
import { POST as resumeRoute } from "@/app/api/contact-imports/[id]/resume/route";
import { GET as getImportRoute } from "@/app/api/contact-imports/[id]/route";
import { POST as startRoute } from "@/app/api/contact-imports/[id]/start/route";
import { POST as uploadRoute } from "@/app/api/contact-imports/route";
import { PATCH as patchContactRoute } from "@/app/api/contacts/[id]/route";
import { POST as createFieldRoute } from "@/app/api/custom-fields/route";
import { createContact } from "@/lib/contacts/directory";
import { eraseContactById } from "@/lib/contacts/gdpr";
import { createContactList } from "@/lib/contacts/lists";
import { scoped } from "@/lib/db/scoped";
import { createOrg, request, routeParams } from "../support/factories";

type Org = Awaited<ReturnType<typeof createOrg>>;

async function uploadCsv(org: Org, csv: string, headers: Record<string, string> = { "content-type": "text/csv" }) {
  const res = await uploadRoute(await request(org.users.supervisor, "/api/contact-imports?filename=fair.csv", { method: "POST", rawBody: csv, headers }), routeParams({}));
  return { status: res.status, body: await res.json() };
}

const post = async (org: Org, handler: typeof dryRunRoute, path: string, id: string, body: unknown) =>
  handler(await request(org.users.supervisor, `/api/contact-imports/${id}/${path}`, { method: "POST", body }), routeParams({ id }));

describe("contact import over the API", () => {
  it("refuses a file over 50 MB before reading it, a non-CSV body and an empty file", async () => {
    const org = await createOrg();
    const big = await uploadCsv(org, "phone\n", { "content-type": "text/csv", "content-length": String(60 * 1024 * 1024) });
    expect(big.status).toBe(413);
    expect((await uploadCsv(org, '{"phone":1}', { "content-type": "application/json" })).status).toBe(415);
    expect(await uploadCsv(org, "")).toEqual({ status: 422, body: { error: { code: "unprocessable_entity", message: "The file is empty" } } });
    expect(await scoped(org.orgId)("contact_imports").countDocuments({})).toBe(0);
  });

  it("uploads, previews, dry-runs with typed custom fields and erased people reported per row, downloads the report, and imports onto a list", async () => {
    const org = await createOrg();
    const db = scoped(org.orgId);
    const field = await createFieldRoute(
      await request(org.users.admin, "/api/custom-fields", { method: "POST", body: { key: "plan", label: "Plan", type: "single_select", options: ["Gold", "Silver"] } }),
      routeParams({}),
    );
    expect(field.status).toBe(201);
    // Someone erased on request earlier must not come back through an import.
    const erased = await createContact(org.orgId, { id: org.users.admin._id, name: "Admin" }, { phone: "+14155550333", name: "Gone" });
    await eraseContactById(org.orgId, { id: org.users.admin._id, name: "Admin" }, erased._id);
    const list = await createContactList(org.orgId, { id: org.users.admin._id, name: "Admin" }, { name: "Fair 2026" });

    const csv = "Name;Mobile;Plan\nAna;+1 415 555 0301;gold\nBen;+1 415 555 0302;Platinum\nGone Again;+1 415 555 0333;Silver\nCid;12;Gold\n";
    const uploaded = await uploadCsv(org, csv);
    expect(uploaded.status).toBe(201);
    const id = uploaded.body.import.id;
    expect(uploaded.body.import).toMatchObject({ status: "uploaded", headers: ["Name", "Mobile", "Plan"], filename: "fair.csv" });
    const got = await (await getImportRoute(await request(org.users.supervisor, `/api/contact-imports/${id}`), routeParams({ id }))).json();
    expect(got.preview[0]).toEqual({ Name: "Ana", Mobile: "+1 415 555 0301", Plan: "gold" });

    const config = {
      mapping: [
        { column: "Name", target: { kind: "field", field: "name" } },
        { column: "Mobile", target: { kind: "field", field: "phone" } },
        { column: "Plan", target: { kind: "custom", key: "plan" } },
      ],
      options: { defaultCountry: "US", onExisting: "update", tags: ["Fair"], listId: list._id.toHexString() },
    };
    const dry = await (await post(org, dryRunRoute, "dry-run", id, config)).json();
    expect(dry.summary).toMatchObject({ rows: 4, valid: 1, invalid: 3, wouldCreate: 1 });
    expect(dry.summary.issues.map((i: { line: number; code: string }) => [i.line, i.code])).toEqual([
      [2, "bad_field_type"],
      [3, "erased"],
      [4, "invalid_phone"],
    ]);
    expect(dry.summary.issues[0].message).toBe('Plan: "Platinum" is not one of Gold, Silver');
    expect(await db("contacts").countDocuments({ erasedAt: null })).toBe(0);

    const report = await post(org, reportRoute, "report", id, config);
    expect(report.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const rows: string[][] = parse(await report.text());
    expect(rows[0]).toEqual(["line", "status", "column", "code", "message"]);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[3]])).toEqual([
      ["1", "create", ""],
      ["2", "invalid", "bad_field_type"],
      ["3", "invalid", "erased"],
      ["4", "invalid", "invalid_phone"],
    ]);

    const started = await post(org, startRoute, "start", id, config);
    expect(started.status).toBe(202);
    await expect.poll(async () => (await db("contact_imports").findOne({ _id: (await db("contact_imports").findOne({}))!._id }))?.status, { timeout: 20_000 }).toBe("done");
    const ana = (await db("contacts").findOne({ phone: "+14155550301" }))!;
    expect(ana).toMatchObject({ name: "Ana", customFields: { plan: "Gold" }, tags: ["fair"], source: { kind: "import" } });
    expect(ana.listIds?.map((l) => l.toHexString())).toEqual([list._id.toHexString()]);
    expect(await db("contacts").countDocuments({ phone: "+14155550333" })).toBe(0);
    expect((await post(org, startRoute, "start", id, config)).status).toBe(409);

    // The same definitions hold for an edit by hand.
    const bad = await patchContactRoute(await request(org.users.supervisor, `/api/contacts/${ana._id}`, { method: "PATCH", body: { customFields: { plan: "bronze" } } }), routeParams({ id: ana._id.toHexString() }));
    expect(await bad.json()).toEqual({ error: { code: "unprocessable_entity", message: 'customFields.Plan: "bronze" is not one of Gold, Silver' } });
  });

  it("goes on with an import that stopped, from the row it reached, without duplicates; a finished one cannot be restarted", async () => {
    const org = await createOrg();
    const db = scoped(org.orgId);
    const uploaded = await uploadCsv(org, "phone,name\n+14155550501,One\n+14155550502,Two\n+14155550503,Three\n");
    const id = uploaded.body.import.id;
    const config = { mapping: [{ column: "phone", target: { kind: "field", field: "phone" } }, { column: "name", target: { kind: "field", field: "name" } }], options: { defaultCountry: null, onExisting: "update" } };
    expect((await post(org, startRoute, "start", id, config)).status).toBe(202);
    const status = async () => (await db("contact_imports").findOne({}))!;
    await expect.poll(async () => (await status()).status, { timeout: 20_000 }).toBe("done");
    const resume = async () => resumeRoute(await request(org.users.supervisor, `/api/contact-imports/${id}/resume`, { method: "POST" }), routeParams({ id }));
    expect(await (await resume()).json()).toEqual({ error: { code: "conflict", message: "Only an import that stopped can be started again" } });

    // As if it had stopped after the first row: the rest was never written.
    const first = await status();
    await db("contacts").deleteMany({ phone: { $in: ["+14155550502", "+14155550503"] } });
    await db("contact_imports").updateOne({ _id: first._id }, { $set: { status: "failed", error: "boom", cursor: 1, progress: { rowsDone: 1, created: 1, updated: 0, skipped: 0, invalid: 0 } } });
    expect((await resume()).status).toBe(202);
    await expect.poll(async () => (await status()).status, { timeout: 20_000 }).toBe("done");
    expect(await db("contacts").countDocuments({ phone: { $in: ["+14155550501", "+14155550502", "+14155550503"] } })).toBe(3);
    expect((await status()).progress).toMatchObject({ rowsDone: 3, created: 3 });
  });

  it("keeps imports to their organization", async () => {
    const a = await createOrg("A");
    const b = await createOrg("B");
    const uploaded = await uploadCsv(a, "phone\n+14155550401\n");
    const id = uploaded.body.import.id;
    expect((await getImportRoute(await request(b.users.admin, `/api/contact-imports/${id}`), routeParams({ id }))).status).toBe(404);
    const start = await startRoute(
      await request(b.users.admin, `/api/contact-imports/${id}/start`, { method: "POST", body: { mapping: [{ column: "phone", target: { kind: "field", field: "phone" } }], options: { defaultCountry: null, onExisting: "skip" } } }),
      routeParams({ id }),
    );
    expect(start.status).toBe(404);
    const viewer = await uploadRoute(await request(a.users.viewer, "/api/contact-imports", { method: "POST", rawBody: "phone\n", headers: { "content-type": "text/csv" } }), routeParams({}));
    expect(viewer.status).toBe(403);
  });
});
