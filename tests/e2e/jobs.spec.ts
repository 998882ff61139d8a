import { expect, test } from "@playwright/test";
import { demo, signIn } from "./support/pages";

test.describe("background jobs admin", () => {
  test("an admin finds a dead job run and retries it", async ({ page }) => {
    await signIn(page, demo.admin);
    await page.getByRole("link", { name: "Background jobs" }).click();
    await expect(page.getByRole("heading", { name: "Background jobs" })).toBeVisible();
    await page.getByLabel("Status").selectOption("dead");
    const dead = page.getByRole("row").filter({ hasText: "Operation timed out after 30000 ms (demo)" });
    await expect(dead).toContainText("retention");
    await dead.getByRole("button", { name: "Retry" }).click();
    await expect(dead).toContainText("retried");
    await expect(dead.getByRole("button", { name: "Retry" })).toHaveCount(0);
    // The re-run (in-process driver in e2e) completes: the seeded completed run plus the retry.
    await page.getByLabel("Status").selectOption("completed");
    await expect(page.getByRole("row").filter({ hasText: "retention" })).toHaveCount(2, { timeout: 20_000 });
  });

  test("only admins see the page", async ({ page }) => {
    await signIn(page, demo.supervisor);
    await expect(page.getByRole("link", { name: "Background jobs" })).toHaveCount(0);
    const res = await page.goto("/settings/jobs");
    expect(res?.status()).toBe(403);
  });
});
