import { Readable } from "node:stream";
import { parse } from "csv-parse/sync";
import { ObjectId } from "mongodb";
import { afterEach, describe, expect, it, vi } from "vitest";
import { dryRun, dryRunReport } from "@/lib/contacts/import/dry-run";
import { contactImportJob } from "@/lib/contacts/import/import-job";
import { createImport, getImportOrThrow, openImportFile, startImport } from "@/lib/contacts/import/imports";
import { previewRows, readHeaders } from "@/lib/contacts/import/read-csv";
import { contactSearchTokens } from "@/lib/contacts/contact-fields";
import { scoped } from "@/lib/db/scoped";
import { enqueue } from "@/lib/jobs/enqueue";
import { jobRegistry } from "@/lib/jobs/registry";
import type { ContactDoc } from "@/lib/schemas/contact";
import { importConfig, type ImportConfig } from "@/lib/schemas/contact-import";
import { recordConsent } from "@/lib/webhook/consent";
import { createOrg } from "../support/factories";

// Starting an import enqueues the job; here the test runs the job itself, step by step.
vi.mock("@/lib/jobs/enqueue", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/jobs/enqueue")>()),
  enqueue: vi.fn(async () => ({ messageId: "test-message", deduplicated: false })),
}));
// The crash test makes one consent write fail; everywhere else this is the real recordConsent.
vi.mock("@/lib/webhook/consent", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/webhook/consent")>();
  return { ...real, recordConsent: vi.fn(real.recordConsent) };
});

afterEach(async () => {
  const real = await vi.importActual<typeof import("@/lib/webhook/consent")>("@/lib/webhook/consent");
  vi.mocked(recordConsent).mockImplementation(real.recordConsent);
  vi.mocked(enqueue).mockClear();
});

const phoneMapping = (extra: ImportConfig["mapping"] = []): ImportConfig["mapping"] => [
  { column: "Name", target: { kind: "field", field: "name" } },
  { column: "Phone", target: { kind: "field", field: "phone" } },
  ...extra,
];

function config(mapping: ImportConfig["mapping"], options: Partial<ImportConfig["options"]> = {}): ImportConfig {
  return importConfig.parse({ mapping, options: { defaultCountry: "US", onExisting: "update", tags: [], consentSource: null, ...options } });
}

const stream = (content: string | Buffer) => Readable.from([typeof content === "string" ? Buffer.from(content) : content]);

type Org = Awaited<ReturnType<typeof createOrg>>;

/** Upload + start, as the import routes will do, then the job until it reports done (re-enqueues included). */
async function importCsv(org: Org, content: string | Buffer, cfg: ImportConfig, budgetMs?: number) {
  const actor = { id: org.users.admin._id, name: "admin" };
  const created = await createImport(org.orgId, actor, { filename: "contacts.csv", bytes: typeof content === "string" ? Buffer.from(content) : content });
  await startImport(org.orgId, actor, created._id, cfg);
  const payload = { orgId: org.orgId.toHexString(), importId: created._id.toHexString() };
  expect(vi.mocked(enqueue)).toHaveBeenLastCalledWith("contact-import", payload, { deduplicationId: `contact-import:${payload.importId}:0` });
  const runs = await runJobToEnd({ ...payload, ...(budgetMs ? { budgetMs } : {}) });
  return { importId: created._id, runs, doc: await getImportOrThrow(org.orgId, created._id) };
}

async function runJobToEnd(payload: { orgId: string; importId: string; budgetMs?: number }) {
  const queue = [payload];
  let runs = 0;
  for (let p = queue.shift(); p; p = queue.shift()) {
    runs++;
    await contactImportJob.handle(p, {
      messageId: `m${runs}`,
      attempt: 1,
      enqueue: (async (_name: string, next: typeof payload) => {
        queue.push(next);
        return { messageId: `m${runs + 1}`, deduplicated: false };
      }) as never,
    });
  }
  return runs;
}

async function seedContact(orgId: ObjectId, phone: string, fields: Partial<ContactDoc> = {}) {
  const now = new Date(Date.now() - 3600_000);
  const base = { identityKey: phone, name: fields.name ?? null, phone, username: null, email: fields.email ?? null, company: fields.company ?? null };
  const doc: Omit<ContactDoc, "orgId"> = {
    _id: new ObjectId(),
    ...base,
    waId: phone.slice(1),
    bsuid: null,
    profileName: null,
    tags: [],
    customFields: {},
    consent: { state: "unknown", marketing: false, changedAt: null, source: null },
    source: { kind: "whatsapp", referral: null, at: now },
    lastInboundAt: now,
    searchTokens: contactSearchTokens(base),
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
  await scoped(orgId)("contacts").insertOne(doc);
  return doc;
}

const contactsOf = (orgId: ObjectId) => scoped(orgId)("contacts").find({}, { sort: { identityKey: 1 } }).toArray();

describe("reading CSV files", () => {
  it("finds the headers and rows of BOM, semicolon, tab and Latin-1 files", async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("Name;Phone;;Name\r\n\"Doe; Jane\";+14155550100;x;y\r\n")]);
    expect(await previewRows(stream(bom), 5)).toEqual({
      headers: ["Name", "Phone", "Column 3", "Name 2"],
      rows: [{ line: 1, values: { Name: "Doe; Jane", Phone: "+14155550100", "Column 3": "x", "Name 2": "y" } }],
    });
    expect(await readHeaders(stream("a\tb\tc\n1\t2\t3\n"))).toEqual(["a", "b", "c"]);
    expect(await readHeaders(stream("a|b\n"))).toEqual(["a", "b"]);
    const latin1 = Buffer.from("Name,Phone\nJosé Müller,+14155550100\n", "latin1");
    expect((await previewRows(stream(latin1), 1)).rows).toEqual([{ line: 1, values: { Name: "José Müller", Phone: "+14155550100" } }]);
  });

  it("refuses a mapping without exactly one identity column and consent without its source", () => {
    const bad = (mapping: unknown, options: Record<string, unknown> = {}) =>
      importConfig.safeParse({ mapping, options: { defaultCountry: "US", onExisting: "skip", ...options } }).error?.issues.map((i) => i.message);
    expect(bad([{ column: "Name", target: { kind: "field", field: "name" } }])).toEqual(["Map exactly one identity column: either phone or WhatsApp user id (bsuid), not both"]);
    expect(bad([{ column: "P", target: { kind: "field", field: "phone" } }, { column: "U", target: { kind: "field", field: "bsuid" } }])).toEqual([
      "Map exactly one identity column: either phone or WhatsApp user id (bsuid), not both",
    ]);
    expect(bad([{ column: "P", target: { kind: "field", field: "phone" } }, { column: "P", target: { kind: "field", field: "name" } }])).toEqual(['Column "P" is mapped more than once']);
    expect(bad([{ column: "P", target: { kind: "field", field: "phone" } }, { column: "C", target: { kind: "consent" } }])).toEqual([
      'Say where the consent in this file comes from (consent source, e.g. "signup form 2025")',
    ]);
    expect(bad([{ column: "P", target: { kind: "field", field: "phone" } }], { defaultCountry: "XX" })).toEqual(["must be an ISO 3166 alpha-2 country code (e.g. US)"]);
  });
});

describe("contact import", () => {
  it("is a registered job", () => {
    expect(jobRegistry.get("contact-import")).toBe(contactImportJob);
  });

  it("imports one contact for one number written three ways (the first row wins, the others are skipped duplicates)", async () => {
    const org = await createOrg();
    const csv = "Name,Phone\nAnn First,+1 415-555-0100\nAnn Second,(415) 555 0100\nAnn Third,14155550100\nBob,+44 20 7946 0958\n";
    const { doc } = await importCsv(org, csv, config(phoneMapping()));
    const contacts = await contactsOf(org.orgId);
    expect(contacts.map((c) => [c.identityKey, c.name])).toEqual([
      ["+14155550100", "Ann First"],
      ["+442079460958", "Bob"],
    ]);
    expect(contacts[0]).toMatchObject({ phone: "+14155550100", waId: "14155550100", source: { kind: "import", referral: null }, consent: { state: "unknown" } });
    expect(contacts[0]!.searchTokens).toEqual(expect.arrayContaining(["ann", "first"]));
    expect(doc).toMatchObject({ status: "done", cursor: 4, error: null, progress: { rowsDone: 4, created: 2, updated: 0, skipped: 2, invalid: 0 } });
    expect(doc.finishedAt).toBeInstanceOf(Date);
  });

  it("imports BOM, semicolon-delimited and Latin-1 files with their text intact", async () => {
    const org = await createOrg();
    const semicolon = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Name;Phone;Company\r\n"Smith; Ann";+14155550101;Acme, Inc.\r\n')]);
    await importCsv(org, semicolon, config(phoneMapping([{ column: "Company", target: { kind: "field", field: "company" } }])));
    const latin1 = Buffer.from("Name,Phone\nRenée Éclair,+14155550102\n", "latin1");
    await importCsv(org, latin1, config(phoneMapping()));
    const contacts = await contactsOf(org.orgId);
    expect(contacts.map((c) => [c.identityKey, c.name, c.company])).toEqual([
      ["+14155550101", "Smith; Ann", "Acme, Inc."],
      ["+14155550102", "Renée Éclair", null],
    ]);
    expect(contacts[1]!.searchTokens).toEqual(expect.arrayContaining(["renee", "eclair"]));
  });

  it("reports a malformed row and invalid phones per row while the other rows import", async () => {
    const org = await createOrg();
    const csv = 'Name,Phone\nAnn,+14155550100\n"Bob "the builder" Smith",+14155550101\nCat,0123\nDan,\nEve,+14155550104\n';
    const cfg = config(phoneMapping());
    expect(await dryRun(org.orgId, stream(csv), cfg)).toEqual({
      rows: 5,
      valid: 2,
      invalid: 3,
      duplicatesInFile: 0,
      existing: 0,
      wouldCreate: 2,
      wouldUpdate: 0,
      wouldSkip: 0,
      issues: [
        { line: 2, column: null, code: "malformed_row", message: "This row could not be read: a quoted value has text right after its closing quote (file line 3)" },
        { line: 3, column: "Phone", code: "invalid_phone", message: 'Phone "0123" is not a valid number for US' },
        { line: 4, column: "Phone", code: "missing_identity", message: '"Phone" is empty: every row needs a phone number' },
      ],
    });
    const { doc } = await importCsv(org, csv, cfg);
    expect((await contactsOf(org.orgId)).map((c) => c.name)).toEqual(["Ann", "Eve"]);
    expect(doc.progress).toEqual({ rowsDone: 5, created: 2, updated: 0, skipped: 0, invalid: 3 });
  });

  it("updates existing contacts' mapped fields, or leaves them alone with onExisting skip", async () => {
    const org = await createOrg();
    const existing = await seedContact(org.orgId, "+14155550100", { name: "Previous Name", email: "old@example.com", company: "Old Co", tags: ["vip"], customFields: { Plan: "basic", Region: "west" } });
    const mapping = phoneMapping([
      { column: "Email", target: { kind: "field", field: "email" } },
      { column: "Plan", target: { kind: "custom", key: "Plan" } },
      { column: "Tags", target: { kind: "field", field: "tags" } },
    ]);
    const csv = "Name,Phone,Email,Plan,Tags\nNew Name,+14155550100,,gold,lead\nFresh,+14155550109,FRESH@Example.com,trial,\n";

    const skip = await importCsv(org, csv, config(mapping, { onExisting: "skip" }));
    expect(skip.doc.progress).toEqual({ rowsDone: 2, created: 1, updated: 0, skipped: 1, invalid: 0 });
    expect(await scoped(org.orgId)("contacts").findOne({ _id: existing._id })).toEqual({ ...existing, orgId: org.orgId });

    const update = await importCsv(org, csv, config(mapping, { onExisting: "update" }));
    expect(update.doc.progress).toEqual({ rowsDone: 2, created: 0, updated: 2, skipped: 0, invalid: 0 });
    const after = (await scoped(org.orgId)("contacts").findOne({ _id: existing._id }))!;
    // The empty Email cell does not blank the stored email; unmapped custom fields and tags stay.
    expect(after).toMatchObject({ name: "New Name", email: "old@example.com", company: "Old Co", tags: ["vip", "lead"], customFields: { Plan: "gold", Region: "west" }, source: { kind: "whatsapp" } });
    expect(after.searchTokens).toEqual(contactSearchTokens(after));
    expect(after.searchTokens).toContain("new");
    expect(after.searchTokens).not.toContain("previous");
    expect(await scoped(org.orgId)("contacts").findOne({ identityKey: "+14155550109" })).toMatchObject({ email: "fresh@example.com", customFields: { Plan: "trial" } });
  });

  it("adds the import's tags to every imported row, next to a tags column", async () => {
    const org = await createOrg();
    await seedContact(org.orgId, "+14155550102", { tags: ["existing"] });
    const csv = "Name,Phone,Tags\nA,+14155550100,Lead; VIP\nB,+14155550101,\nC,+14155550102,vip\n";
    await importCsv(org, csv, config(phoneMapping([{ column: "Tags", target: { kind: "field", field: "tags" } }]), { tags: ["Expo 2025"] }));
    expect((await contactsOf(org.orgId)).map((c) => [c.identityKey, c.tags])).toEqual([
      ["+14155550100", ["lead", "vip", "expo 2025"]],
      ["+14155550101", ["expo 2025"]],
      ["+14155550102", ["existing", "vip", "expo 2025"]],
    ]);
  });

  it("sets consent only from a mapped consent column, with its source in the ledger", async () => {
    const org = await createOrg();
    const optedOut = await seedContact(org.orgId, "+14155550103", { consent: { state: "opted_out", marketing: false, changedAt: new Date(), source: "keyword" } });
    const csv = "Name,Phone,Opt-in,Since\nA,+14155550100,yes,2025-03-01\nB,+14155550101,unsubscribed,\nC,+14155550102,,\nD,+14155550103,subscribed,2025-01-01\nE,+14155550104,maybe,\n";

    // Without a consent column nobody is opted in, whatever the file says.
    const plain = await createOrg("No consent column");
    await importCsv(plain, csv, config(phoneMapping()));
    expect((await contactsOf(plain.orgId)).map((c) => c.consent.state)).toEqual(["unknown", "unknown", "unknown", "unknown", "unknown"]);
    expect(await scoped(plain.orgId)("consent_events").countDocuments({})).toBe(0);

    const { doc } = await importCsv(
      org,
      csv,
      config(phoneMapping([{ column: "Opt-in", target: { kind: "consent" } }, { column: "Since", target: { kind: "consent_date" } }]), { consentSource: "signup form 2025" }),
    );
    expect(doc.progress).toEqual({ rowsDone: 5, created: 3, updated: 1, skipped: 0, invalid: 1 });
    const byKey = new Map((await contactsOf(org.orgId)).map((c) => [c.identityKey, c]));
    expect(byKey.get("+14155550100")!.consent).toEqual({ state: "opted_in", marketing: true, changedAt: new Date("2025-03-01T00:00:00Z"), source: "import" });
    expect(byKey.get("+14155550101")!.consent).toMatchObject({ state: "opted_out", marketing: false, source: "import" });
    expect(byKey.get("+14155550102")!.consent.state).toBe("unknown");
    // The customer's own STOP outranks the list.
    expect(byKey.get("+14155550103")!.consent).toEqual(optedOut.consent);
    expect(byKey.has("+14155550104")).toBe(false);
    const events = await scoped(org.orgId)("consent_events").find({}, { sort: { at: 1 } }).toArray();
    expect(events.map((e) => ({ contactId: e.contactId, state: e.state, channel: e.channel, source: e.source, detail: e.detail }))).toEqual(
      expect.arrayContaining([
        { contactId: byKey.get("+14155550100")!._id, state: "opted_in", channel: "all", source: "import", detail: "signup form 2025 (file contacts.csv, row 1)" },
        { contactId: byKey.get("+14155550101")!._id, state: "opted_out", channel: "all", source: "import", detail: "signup form 2025 (file contacts.csv, row 2)" },
      ]),
    );
    expect(events).toHaveLength(2);
  });

  it("resumes after a crash mid-file without duplicating contacts or consent events", async () => {
    const org = await createOrg();
    const rows = Array.from({ length: 1200 }, (_, i) => `Person ${i},+1415555${String(1000 + i).padStart(4, "0")},yes`);
    const csv = `Name,Phone,Consent\n${rows.join("\n")}\n`;
    const cfg = config(phoneMapping([{ column: "Consent", target: { kind: "consent" } }]), { consentSource: "crm export" });
    const real = await vi.importActual<typeof import("@/lib/webhook/consent")>("@/lib/webhook/consent");
    let calls = 0;
    vi.mocked(recordConsent).mockImplementation(async (...args) => {
      // The second batch's contacts are written, then the database goes away halfway through its consent.
      if (++calls >= 750) throw new Error("connection reset");
      return real.recordConsent(...args);
    });
    const actor = { id: org.users.admin._id, name: "admin" };
    const created = await createImport(org.orgId, actor, { filename: "big.csv", bytes: Buffer.from(csv) });
    await startImport(org.orgId, actor, created._id, cfg);
    const payload = { orgId: org.orgId.toHexString(), importId: created._id.toHexString() };
    await expect(runJobToEnd(payload)).rejects.toThrow("connection reset");

    const crashed = await getImportOrThrow(org.orgId, created._id);
    expect(crashed).toMatchObject({ status: "running", cursor: 500, progress: { rowsDone: 500, created: 500 } });
    expect(await scoped(org.orgId)("contacts").countDocuments({})).toBe(1000);

    vi.mocked(recordConsent).mockImplementation(real.recordConsent);
    await runJobToEnd(payload);
    const done = await getImportOrThrow(org.orgId, created._id);
    expect(done).toMatchObject({ status: "done", cursor: 1200, progress: { rowsDone: 1200, created: 1200, updated: 0, skipped: 0, invalid: 0 } });
    const contacts = await contactsOf(org.orgId);
    expect(contacts).toHaveLength(1200);
    expect(new Set(contacts.map((c) => c.identityKey)).size).toBe(1200);
    expect(contacts.every((c) => c.consent.state === "opted_in")).toBe(true);
    const events = await scoped(org.orgId)("consent_events").find({}, { projection: { contactId: 1 } }).toArray();
    expect(events).toHaveLength(1200);
    expect(new Set(events.map((e) => e.contactId.toHexString())).size).toBe(1200);
  });

  it("pauses when its time budget runs out and re-enqueues itself from the cursor", async () => {
    const org = await createOrg();
    const rows = Array.from({ length: 1100 }, (_, i) => `P${i},+1415555${String(2000 + i).padStart(4, "0")}`);
    const { doc, runs } = await importCsv(org, `Name,Phone\n${rows.join("\n")}\n`, config(phoneMapping()), 1);
    expect(runs).toBe(3);
    expect(doc).toMatchObject({ status: "done", cursor: 1100, progress: { rowsDone: 1100, created: 1100 } });
    expect(await scoped(org.orgId)("contacts").countDocuments({})).toBe(1100);
  });

  it("writes the dry run's full per-row report as CSV", async () => {
    const org = await createOrg();
    await seedContact(org.orgId, "+14155550101");
    const csv = "Name,Phone,Email\nA,+14155550100,a@example.com\nB,+14155550101,\nC,(415) 555-0100,\nD,12,not-an-email\n\"E \"x\"\",+14155550105,\n";
    const cfg = config(phoneMapping([{ column: "Email", target: { kind: "field", field: "email" } }]), { onExisting: "skip" });
    const { csv: report, summary } = dryRunReport(org.orgId, stream(csv), cfg);
    const chunks: Buffer[] = [];
    for await (const chunk of report) chunks.push(Buffer.from(chunk as Buffer));
    expect(parse(Buffer.concat(chunks).toString("utf8"))).toEqual([
      ["line", "status", "column", "code", "message"],
      ["1", "create", "", "", ""],
      ["2", "skip", "", "", ""],
      ["3", "duplicate", "Phone", "duplicate", "Same contact (+14155550100) as line 1; the first row is imported"],
      ["4", "invalid", "Phone", "invalid_phone", 'Phone "12" is not a valid number for US'],
      ["4", "invalid", "Email", "invalid_email", 'Email "not-an-email" is not a valid email address'],
      ["5", "invalid", "", "malformed_row", "This row could not be read: a quoted value has text right after its closing quote (file line 6)"],
    ]);
    expect(await summary).toMatchObject({ rows: 5, valid: 3, invalid: 2, duplicatesInFile: 1, existing: 1, wouldCreate: 1, wouldUpdate: 0, wouldSkip: 2 });
    // Nothing was written.
    expect(await scoped(org.orgId)("contacts").countDocuments({})).toBe(1);
  });

  it("never touches another organization's contact with the same phone, nor lets it read the import", async () => {
    const a = await createOrg("A");
    const b = await createOrg("B");
    const theirs = await seedContact(b.orgId, "+14155550100", { name: "B's customer", tags: ["b"] });
    const { doc } = await importCsv(a, "Name,Phone\nA's customer,+14155550100\n", config(phoneMapping(), { onExisting: "update", tags: ["imported"] }));
    expect(doc.progress).toMatchObject({ created: 1, updated: 0 });
    expect((await contactsOf(a.orgId)).map((c) => [c.identityKey, c.name, c.tags])).toEqual([["+14155550100", "A's customer", ["imported"]]]);
    expect(await contactsOf(b.orgId)).toEqual([{ ...theirs, orgId: b.orgId }]);
    await expect(getImportOrThrow(b.orgId, doc._id)).rejects.toMatchObject({ code: "not_found" });
    await expect(openImportFile(b.orgId, doc.fileId)).rejects.toMatchObject({ code: "not_found" });
  });
});
