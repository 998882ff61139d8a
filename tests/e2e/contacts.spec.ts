import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { parse } from "csv-parse/sync";
import { demo, signIn, openSettings } from "./support/pages";

// A run-unique word, so a rerun on the same server (a retry) finds only its own contacts.
const RUN = `fair${Date.now().toString(36)}`;
const PAGE_SIZE = 50;
const HOW_MANY = PAGE_SIZE + 5;

test.describe("contacts directory", () => {
  test("a supervisor adds contacts, filters them into a saved segment, tags every match across two pages, exports them and opens one", async ({ page }) => {
    test.setTimeout(120_000);
    await signIn(page, demo.supervisor);
    // More than one page of contacts, from the API the "New contact" dialog uses.
    for (let i = 1; i < HOW_MANY; i++) {
      const res = await page.request.post("/api/contacts", { data: { phone: `+447700${String(900_000 + (Date.now() % 90_000) + i).slice(-6)}`, name: `${RUN} Visitor ${i}` } });
      expect(res.status(), await res.text()).toBe(201);
    }

    await page.getByRole("link", { name: "Contacts", exact: true }).click();
    await expect(page.getByRole("heading", { name: "Contacts", exact: true })).toBeVisible();

    // The last one by hand, with a local number and its country.
    await page.getByRole("button", { name: "New contact" }).click();
    const dialog = page.getByRole("dialog", { name: "New contact" });
    // A run-unique local number, so a retry on the same server does not meet the first attempt's contact.
    const local = `030 1${String(Date.now()).slice(-6)}`;
    const e164 = `+4930${local.slice(4)}`;
    await dialog.getByLabel("Phone").fill(local);
    await dialog.getByLabel("Name").fill(`${RUN} Visitor 0`);
    await dialog.getByRole("button", { name: "Add contact" }).click();
    await expect(dialog.getByRole("alert")).toContainText(`phone: "${local}" is not a valid phone number`);
    await dialog.getByLabel("Country").fill("DE");
    await dialog.getByRole("button", { name: "Add contact" }).click();
    await expect(dialog).toBeHidden();

    // Search finds them; the count covers every match, the table shows the first page.
    await page.getByLabel("Search").fill(RUN);
    await expect(page.getByTestId("contacts-count")).toHaveText(`${HOW_MANY} contacts`);
    await expect(page.getByTestId("contact-row")).toHaveCount(PAGE_SIZE);
    await page.getByLabel("Search").fill("");
    await expect(page.getByTestId("contacts-count")).not.toHaveText(`${HOW_MANY} contacts`);

    // The same people as a segment: name contains the run's word.
    await page.getByRole("button", { name: "Filter" }).click();
    const filter = page.getByRole("region", { name: "Filter" });
    await filter.getByRole("button", { name: "+ Add condition" }).click();
    await filter.getByLabel("Condition 1 field").selectOption({ label: "Name" });
    await filter.getByLabel("Condition 1 operator").selectOption({ label: "contains" });
    await filter.getByLabel("Condition 1 value").fill(RUN);
    await filter.getByRole("button", { name: "Apply filter" }).click();
    await expect(page.getByTestId("contacts-count")).toHaveText(`${HOW_MANY} contacts matching the filter`);
    page.once("dialog", (d) => d.accept(`${RUN} visitors`));
    await filter.getByRole("button", { name: "Save as segment…" }).click();
    await expect(page.getByTestId("contacts-count")).toHaveText(`${HOW_MANY} contacts in “${RUN} visitors”`);
    await page.reload();
    await expect(page.getByTestId("contacts-count")).toHaveText(`${HOW_MANY} contacts in “${RUN} visitors”`);

    // Tag every match, not only the 50 on screen.
    await page.getByRole("group", { name: "Bulk actions" }).getByRole("button", { name: "Add tags" }).click();
    const tagDialog = page.getByRole("dialog", { name: `Add tags: ${HOW_MANY} contacts` });
    await tagDialog.getByLabel("Tags").fill("Trade-Fair");
    await tagDialog.getByRole("button", { name: `Apply to ${HOW_MANY} contacts` }).click();
    await expect(page.getByTestId("bulk-progress").getByRole("status")).toHaveText(`Done: ${HOW_MANY} contacts changed.`, { timeout: 30_000 });
    await page.getByRole("button", { name: "Load more" }).click();
    await expect(page.getByTestId("contact-row")).toHaveCount(HOW_MANY);
    await expect(page.getByTestId("contact-row").filter({ hasText: "trade-fair" })).toHaveCount(HOW_MANY);

    // Put them on a new list, and find them by it.
    await page.getByRole("group", { name: "Bulk actions" }).getByRole("button", { name: "Add to list" }).click();
    const listDialog = page.getByRole("dialog", { name: `Add to list: ${HOW_MANY} contacts` });
    await listDialog.getByRole("combobox").selectOption({ label: "New list…" });
    await listDialog.getByLabel("New list name").fill(`${RUN} list`);
    await listDialog.getByRole("button", { name: `Apply to ${HOW_MANY} contacts` }).click();
    // The new action's own progress bar (the tagging's has gone).
    await expect(page.getByTestId("bulk-progress")).toContainText("Add to list");
    await expect(page.getByTestId("bulk-progress").getByRole("status")).toHaveText(`Done: ${HOW_MANY} contacts changed.`, { timeout: 30_000 });
    await page.getByLabel("Segment").selectOption({ label: `${RUN} list` });
    await expect(page.getByTestId("contacts-count")).toHaveText(`${HOW_MANY} contacts on “${RUN} list”`);
    await page.getByLabel("Segment").selectOption({ label: `${RUN} visitors` });

    // Export the segment and open the file.
    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Export CSV" }).click();
    const file = await (await download).path();
    const rows: string[][] = parse(await readFile(file, "utf8"), { bom: true });
    expect(rows[0]!.slice(0, 3)).toEqual(["name", "phone", "whatsapp_user_id"]);
    expect(rows).toHaveLength(HOW_MANY + 1);
    expect(rows.filter((r) => r[0] === `${RUN} Visitor 0`)[0]![1]).toBe(e164);

    // One person's page: details and what happened to them.
    await page.getByRole("link", { name: `${RUN} Visitor 0` }).click();
    await expect(page.getByRole("heading", { name: `${RUN} Visitor 0` })).toBeVisible();
    await expect(page.getByText(e164)).toBeVisible();
    await expect(page.getByTestId("contact-timeline")).toContainText("created by");
  });

  test("a supervisor merges two contacts that share an email, keeping the other's name, and undoes it", async ({ page }) => {
    await signIn(page, demo.supervisor);
    const email = `${RUN}@merge.example`;
    const made: string[] = [];
    for (const [i, name] of [`${RUN} Kim`, `${RUN} Kimberly`].entries()) {
      const res = await page.request.post("/api/contacts", { data: { phone: `+447700${String(800_000 + (Date.now() % 90_000) + i).slice(-6)}`, name, email } });
      expect(res.status(), await res.text()).toBe(201);
      made.push((await res.json()).contact.id);
    }
    await page.goto("/contacts");
    await page.getByRole("link", { name: "Duplicates" }).click();
    const pair = page.getByTestId("duplicate-pair").filter({ hasText: `${RUN} Kimberly` });
    await expect(pair).toContainText("same email");
    // Whichever stays, it keeps the longer name.
    await pair.getByRole("group", { name: "Keep" }).getByRole("radio", { name: `${RUN} Kimberly`, exact: true }).check();
    page.once("dialog", (d) => d.accept());
    await pair.getByRole("button", { name: "Merge" }).click();
    await expect(page.getByRole("status")).toContainText("was merged into");
    await expect(page.getByTestId("duplicate-pair").filter({ hasText: `${RUN} Kimberly` })).toHaveCount(0);
    const after = await (await page.request.get(`/api/contacts?q=${encodeURIComponent(`${RUN} kim`)}`)).json();
    expect(after.contacts.map((c: { name: string }) => c.name)).toEqual([`${RUN} Kimberly`]);

    await page.getByRole("button", { name: "Undo" }).click();
    await expect(page.getByTestId("duplicate-pair").filter({ hasText: `${RUN} Kimberly` })).toHaveCount(1);
    for (const id of made) expect((await page.request.get(`/api/contacts/${id}`)).status()).toBe(200);
  });

  test("a supervisor imports a CSV: columns mapped by their names, the dry run names the bad rows, the good ones arrive", async ({ page }) => {
    await signIn(page, demo.supervisor);
    await page.goto("/contacts");
    await page.getByRole("link", { name: "Import" }).click();
    const n = Date.now() % 90_000;
    const csv = `Full name;Phone;Company\n${RUN} Imported One;+44 7700 ${String(700_000 + n).slice(-6)};Acme\n${RUN} Imported Two;+44 7700 ${String(600_000 + n).slice(-6)};Acme\n${RUN} Broken;12;Acme\n`;
    await page.getByLabel("CSV file").setInputFiles({ name: "fair.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    const mapping = page.getByRole("region", { name: "Column mapping" });
    await expect(mapping.getByLabel("Column Phone becomes")).toHaveValue("field:phone");
    await mapping.getByLabel("Column Full name becomes").selectOption({ label: "Name" });
    await mapping.getByLabel("Column Company becomes").selectOption({ label: "Company" });
    await page.getByRole("button", { name: "Check the file" }).click();
    const dry = page.getByTestId("dry-run");
    await expect(dry.getByRole("status")).toContainText("3 rows: 2 new");
    await expect(dry.getByTestId("dry-run-issue")).toHaveCount(1);
    await expect(dry.getByTestId("dry-run-issue")).toContainText('"12" is not a valid');
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await expect(page.getByTestId("import-progress").getByRole("status")).toContainText("Imported: 2 new", { timeout: 30_000 });
    await page.getByRole("link", { name: "See the contacts" }).click();
    await page.getByLabel("Search").fill(`${RUN} imported`);
    await expect(page.getByTestId("contact-row")).toHaveCount(2);
  });

  test("an admin defines a custom field and then edits it; a list is created and deleted from the lists page", async ({ page }) => {
    await signIn(page, demo.admin);
    await openSettings(page, "Custom fields");
    const form = page.getByRole("form", { name: "New custom field" });
    await form.getByLabel("Label").fill(`Plan ${RUN}`);
    await form.getByLabel("Type").selectOption({ label: "One of a list" });
    await form.getByLabel("Options (comma separated)").fill("Gold, Silver");
    await form.getByRole("button", { name: "Add field" }).click();
    const row = page.getByTestId("custom-field").filter({ hasText: `Plan ${RUN}` });
    await expect(row).toContainText("Gold, Silver");
    await row.getByRole("button", { name: "Edit" }).click();
    const editForm = page.getByRole("form", { name: "Edit custom field" });
    await expect(editForm.getByLabel("Key")).toBeDisabled();
    await editForm.getByLabel("Options (comma separated)").fill("Gold, Silver, Bronze");
    await editForm.getByRole("button", { name: "Save field" }).click();
    await expect(row).toContainText("Gold, Silver, Bronze");

    await page.goto("/contacts");
    await page.getByRole("link", { name: "Lists", exact: true }).click();
    await page.getByRole("form", { name: "New list" }).getByLabel("New list").fill(`${RUN} empty list`);
    await page.getByRole("button", { name: "Create" }).click();
    const list = page.getByTestId("list-row").filter({ hasText: `${RUN} empty list` });
    await expect(list).toContainText("0 contacts");
    page.once("dialog", (d) => d.accept());
    await list.getByRole("button", { name: "Delete" }).click();
    await expect(list).toHaveCount(0);
    await page.reload();
    await expect(page.getByTestId("list-row").filter({ hasText: `${RUN} empty list` })).toHaveCount(0);
  });

  test("an agent has no contacts directory", async ({ page }) => {
    await signIn(page, demo.agent);
    await expect(page.getByRole("link", { name: "Contacts", exact: true })).toHaveCount(0);
    expect((await page.request.get("/api/contacts")).status()).toBe(403);
  });
});
