import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { demo, signIn } from "./support/pages";

/**
 * Issue 11's end-to-end gaps, as a person does them: a person's data downloaded and then erased, a
 * tag renamed and merged into another, and a bulk delete and a bulk erase by criteria that name
 * their count before anything happens.
 */
const RUN = `priv${Date.now().toString(36)}`;

let serial = 0;
async function addContact(page: Page, name: string, tags: string[] = []) {
  serial++;
  const phone = `+447700${String(100_000 + ((Date.now() + serial * 7919) % 800_000)).slice(-6)}`;
  const res = await page.request.post("/api/contacts", { data: { phone, name, tags } });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { contact: { id: string } }).contact.id;
}

async function search(page: Page, q: string) {
  await page.goto("/contacts");
  await page.getByLabel("Search").fill(q);
}

test.describe("contacts: privacy, tags and bulk removal", () => {
  test("an admin downloads everything held about a person, then erases them: gone from the directory and their page", async ({ page }) => {
    await signIn(page, demo.admin);
    const name = `${RUN} Erin Erase`;
    const id = await addContact(page, name, ["gdpr-request"]);
    await page.goto(`/contacts/${id}`);

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download their data" }).click();
    const bundle = JSON.parse(await readFile((await (await download).path())!, "utf8")) as { contact: { name: string; tags: string[] } };
    expect(bundle.contact).toMatchObject({ name, tags: ["gdpr-request"] });

    await page.getByRole("button", { name: "Erase…" }).click();
    const confirm = page.getByRole("button", { name: "Erase this person" });
    await expect(confirm).toBeDisabled();
    await page.getByLabel("Confirmation").fill("erase");
    await confirm.click();
    await expect(page).toHaveURL(/\/contacts$/);

    await page.getByLabel("Search").fill(RUN);
    await expect(page.getByTestId("contact-row").filter({ hasText: "Erin" })).toHaveCount(0);
    const res = await page.request.get(`/api/contacts/${id}`);
    expect(res.status()).toBe(404);
    const log = await page.request.get("/settings/audit-log?action=contact.erased");
    expect(await log.text()).toContain("erased the personal data of a contact");
  });

  test("a supervisor renames a tag, then merges it into another; the counts follow", async ({ page }) => {
    await signIn(page, demo.supervisor);
    const [oldTag, newTag, into] = [`${RUN}-expo`, `${RUN}-fair`, `${RUN}-event`];
    await addContact(page, `${RUN} Tess One`, [oldTag]);
    await addContact(page, `${RUN} Tess Two`, [oldTag, into]);
    await addContact(page, `${RUN} Tess Three`, [into]);

    await page.goto("/contacts/tags");
    const row = (tag: string) => page.getByTestId("tag-row").filter({ hasText: tag });
    const usage = (tag: string) => row(tag).getByRole("cell").nth(1);
    await expect(usage(oldTag)).toHaveText("2");
    await row(oldTag).getByRole("button", { name: "Rename or merge" }).click();
    await page.getByLabel(`New name for ${oldTag}`).fill(newTag);
    await page.getByRole("button", { name: "Rename", exact: true }).click();
    await expect(usage(newTag)).toHaveText("2");
    await expect(row(oldTag)).toHaveCount(0);

    // Into an existing tag: asked first, and a contact with both keeps one.
    page.once("dialog", (d) => {
      expect(d.message()).toBe(`“${into}” already exists: merge “${newTag}” into it? Contacts with both keep one.`);
      void d.accept();
    });
    await row(newTag).getByRole("button", { name: "Rename or merge" }).click();
    await page.getByLabel(`New name for ${newTag}`).fill(into);
    await page.getByRole("button", { name: "Rename", exact: true }).click();
    await expect(row(newTag)).toHaveCount(0);
    await expect(usage(into)).toHaveText("3");
  });

  test("bulk delete and bulk erase name how many they will remove, wait for a confirmation, then remove every match", async ({ page }) => {
    await signIn(page, demo.supervisor);
    for (let i = 1; i <= 3; i++) await addContact(page, `${RUN} Dora Delete ${i}`);
    for (let i = 1; i <= 2; i++) await addContact(page, `${RUN} Ezra Erase ${i}`);
    const bulk = page.getByRole("group", { name: "Bulk actions" });

    await search(page, `${RUN} Dora`);
    await expect(page.getByTestId("contacts-count")).toHaveText("3 contacts");
    await bulk.getByRole("button", { name: "Delete…" }).click();
    const del = page.getByRole("dialog", { name: "Delete contacts: 3 contacts" });
    await expect(del).toContainText("Delete all 3 contacts that match, with their conversations and messages? This cannot be undone.");
    // Cancel first: nothing happens.
    await del.getByRole("button", { name: "Cancel" }).click();
    await expect(del).toBeHidden();
    await expect(page.getByTestId("contact-row")).toHaveCount(3);
    await bulk.getByRole("button", { name: "Delete…" }).click();
    await del.getByRole("button", { name: "Delete 3 contacts" }).click();
    await expect(page.getByTestId("bulk-progress")).toContainText("Done: 3 contacts deleted.");
    await expect(page.getByTestId("contact-row")).toHaveCount(0);

    // Erase by criteria (chatwoot#5109): the people matching a search.
    await search(page, `${RUN} Ezra`);
    await expect(page.getByTestId("contacts-count")).toHaveText("2 contacts");
    await bulk.getByRole("button", { name: "Erase (GDPR)…" }).click();
    const erase = page.getByRole("dialog", { name: "Erase personal data: 2 contacts" });
    await expect(erase).toContainText("a later import will not bring these people back");
    await erase.getByRole("button", { name: "Erase 2 contacts" }).click();
    await expect(page.getByTestId("bulk-progress")).toContainText("Done: 2 contacts erased.");
    await expect(page.getByTestId("contact-row")).toHaveCount(0);
    await page.reload();
    await page.getByLabel("Search").fill(RUN);
    await expect(page.getByTestId("contact-row").filter({ hasText: /Dora|Ezra/ })).toHaveCount(0);
  });
});
