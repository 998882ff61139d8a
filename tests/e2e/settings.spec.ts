import { expect, test } from "@playwright/test";
import { demo, signIn, openSettings } from "./support/pages";

test.describe("organization settings", () => {
  test("an admin changes the agent limit and Monday's hours, and they are still there after a reload", async ({ page }) => {
    await signIn(page, demo.admin);
    const original = (await (await page.request.get("/api/settings")).json()).settings;
    try {
      await openSettings(page, "General");
      await expect(page.getByRole("heading", { name: "General settings" })).toBeVisible();

      // A rule the API enforces comes back named after the field, and nothing typed is lost.
      await page.getByLabel("Monday opens").fill("19:00");
      await page.getByRole("button", { name: "Save settings" }).click();
      await expect(page.getByRole("form", { name: "Organization settings" }).getByRole("alert")).toHaveText("Monday closes: the start must be before the end");
      await expect(page.getByLabel("Monday opens")).toHaveValue("19:00");

      await page.getByLabel("Max conversations per agent").fill("17");
      await page.getByLabel("Monday opens").fill("08:30");
      await page.getByLabel("Monday closes").fill("16:45");
      await page.getByRole("button", { name: "Save settings" }).click();
      await expect(page.getByRole("status").filter({ hasText: "Settings saved" })).toBeVisible();

      await page.reload();
      await expect(page.getByLabel("Max conversations per agent")).toHaveValue("17");
      await expect(page.getByLabel("Monday opens")).toHaveValue("08:30");
      await expect(page.getByLabel("Monday closes")).toHaveValue("16:45");
      await expect(page.getByLabel("Monday open", { exact: true })).toBeChecked();
    } finally {
      // Other specs share this server: put back what this one changed.
      const restore = await page.request.put("/api/settings", {
        data: { maxConversationsPerAgent: original.maxConversationsPerAgent, businessHours: original.businessHours },
      });
      expect(restore.status()).toBe(200);
    }
  });

  test("an admin chooses how sure the AI must be before it moves customers along the journey by itself", async ({ page }) => {
    await signIn(page, demo.admin);
    const original = (await (await page.request.get("/api/settings")).json()).settings;
    try {
      await openSettings(page, "General");
      const level = page.getByLabel("Apply the AI's stage moves");
      await expect(level).toHaveValue("0.85");
      await expect(level.locator("option:checked")).toHaveText("When it is at least 85% sure");
      await level.selectOption({ label: "Never: every suggestion waits for a person" });
      await page.getByRole("button", { name: "Save settings" }).click();
      await expect(page.getByRole("status").filter({ hasText: "Settings saved" })).toBeVisible();
      await page.reload();
      await expect(page.getByLabel("Apply the AI's stage moves")).toHaveValue("never");
      expect((await (await page.request.get("/api/settings")).json()).settings.journeyAutoApplyConfidence).toBeNull();
    } finally {
      const restore = await page.request.put("/api/settings", { data: { journeyAutoApplyConfidence: original.journeyAutoApplyConfidence } });
      expect(restore.status()).toBe(200);
    }
  });

  test("an admin adds a country to the message prices, is told what is wrong with a bad row, and the table is still there after a reload", async ({ page }) => {
    await signIn(page, demo.admin);
    const original = (await (await page.request.get("/api/settings")).json()).settings;
    try {
      await page.goto("/settings/general");
      const prices = page.getByRole("form", { name: "Message prices" });
      await expect(prices.getByLabel("BR marketing price")).toHaveValue("0.0625");
      const rows = await prices.getByTestId("price-row").count();

      await prices.getByRole("button", { name: "+ Add country" }).click();
      await prices.getByLabel(`Row ${rows + 1} country`).fill("P1");
      await prices.getByRole("button", { name: "Save prices" }).click();
      await expect(prices.getByRole("alert")).toHaveText(`P1: the country is a 2-letter ISO code such as BR.`);
      await prices.getByLabel(`Row ${rows + 1} country`).fill("pt");
      await prices.getByLabel("PT marketing price").fill("0.0431");
      await prices.getByRole("button", { name: "Save prices" }).click();
      await expect(prices.getByRole("status")).toHaveText("Prices saved");

      await page.reload();
      await expect(prices.getByLabel("PT marketing price")).toHaveValue("0.0431");
      // Removing a row takes it out of the table once saved.
      await prices.getByRole("button", { name: "Remove PT" }).click();
      await prices.getByRole("button", { name: "Save prices" }).click();
      await expect(prices.getByRole("status")).toHaveText("Prices saved");
      await page.reload();
      await expect(prices.getByLabel("PT marketing price")).toHaveCount(0);
      await expect(prices.getByTestId("price-row")).toHaveCount(rows);
    } finally {
      const restore = await page.request.put("/api/settings", { data: { pricing: original.pricing } });
      expect(restore.status()).toBe(200);
    }
  });

  test("an agent has no Settings entry and gets the 403 page", async ({ page }) => {
    await signIn(page, demo.agent);
    await expect(page.getByRole("link", { name: "Settings", exact: true })).toHaveCount(0);
    const res = await page.goto("/settings/general");
    expect(res?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
    const api = await page.request.get("/api/settings");
    expect(api.status()).toBe(403);
    expect(await api.json()).toEqual({ error: { code: "forbidden", message: "Your role does not allow this action" } });
  });
});
