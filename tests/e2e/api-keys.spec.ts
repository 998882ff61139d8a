import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { demo, openSettings, signIn } from "./support/pages";

/**
 * Issue 15, items 1–2: an admin creates an API key in Settings, copies the secret (shown once),
 * and another system lists contacts with it through /api/v1 with no session; a read-only key
 * cannot write, and once revoked (after a confirmation) the key stops working.
 */
test("an admin creates an API key, copies its secret, lists contacts with it, and revokes it", async ({ page, context, request }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signIn(page, demo.admin);
  await openSettings(page, "API keys");
  await expect(page.getByRole("heading", { name: "API keys", level: 1 })).toBeVisible();

  const name = `CRM sync ${Date.now()}`;
  const form = page.getByRole("form", { name: "Create an API key" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("contacts access").selectOption("read");
  await form.getByRole("button", { name: "Create key" }).click();

  const created = page.getByRole("status", { name: "New API key" });
  await expect(created).toContainText(name);
  await created.getByRole("button", { name: "Copy" }).click();
  await expect(created.getByRole("button", { name: "Copied" })).toBeVisible();
  const secret = await page.evaluate(() => navigator.clipboard.readText());
  expect(secret).toMatch(/^wcrm_[A-Za-z0-9_-]{43}$/);
  await expect(created.getByTestId("api-key-secret")).toHaveText(secret);

  // Another system: the API request context carries no session cookie, only the key.
  const auth = { authorization: `Bearer ${secret}` };
  const list = await request.get("/api/v1/contacts?limit=5", { headers: auth });
  expect(list.status()).toBe(200);
  const { contacts } = (await list.json()) as { contacts: { id: string; phone: string | null }[] };
  expect(contacts.length).toBeGreaterThan(0);
  const denied = await request.post("/api/v1/contacts", { headers: auth, data: { phone: "+14155550999" } });
  expect(denied.status()).toBe(403);
  expect(await denied.json()).toEqual({ error: { code: "forbidden", message: "This API key lacks the contacts:write scope" } });

  // The secret is not shown again; the list shows the key's prefix and that it was used.
  await page.reload();
  await expect(page.getByRole("status", { name: "New API key" })).toBeHidden();
  await expect(page.getByText(secret)).toHaveCount(0);
  const row = page.getByRole("row").filter({ hasText: name });
  await expect(row).toContainText(`${secret.slice(0, 13)}…`);
  await expect(row).toContainText("contacts:read");
  await expect(row).not.toContainText("Never");

  page.once("dialog", (dialog) => {
    expect(dialog.message()).toContain(`Revoke the API key "${name}"`);
    void dialog.accept();
  });
  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(row).toContainText("Revoked");
  const after = await request.get("/api/v1/contacts", { headers: auth });
  expect(after.status()).toBe(401);
  expect(await after.json()).toEqual({ error: { code: "unauthorized", message: "The API key has been revoked" } });
});

/** axe-core's WCAG 2.1 A and AA rules, as tests/e2e/accessibility.spec.ts applies them. */
async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => ({ rule: v.id, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
}

test("the API reference lists every operation from the OpenAPI document, and both pages pass axe", async ({ page, request }) => {
  await signIn(page, demo.admin);
  await openSettings(page, "API reference");
  await expect(page.getByRole("heading", { name: "API reference", level: 1 })).toBeVisible();
  const doc = (await (await request.get("/api/v1/openapi.json")).json()) as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
  for (const name of operations) await expect(page.getByRole("article", { name, exact: true })).toBeVisible();
  const send = page.getByRole("article", { name: "POST /api/v1/conversations/{id}/messages", exact: true });
  await expect(send).toContainText("messages:write");
  await expect(send.getByRole("row").filter({ hasText: "Idempotency-Key" })).toContainText("header");
  expect(await seriousViolations(page), "/settings/api").toEqual([]);
  await page.goto("/settings/api-keys");
  await expect(page.getByRole("heading", { name: "API keys", level: 1 })).toBeVisible();
  expect(await seriousViolations(page), "/settings/api-keys").toEqual([]);
});
