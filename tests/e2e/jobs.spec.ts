import { expect, test } from "@playwright/test";
import { demo, signIn, openSettings } from "./support/pages";

test.describe("background jobs admin", () => {
  test("an admin finds a dead job run and retries it", async ({ page }) => {
    await signIn(page, demo.admin);
    await openSettings(page, "Background jobs");
    await expect(page.getByRole("heading", { name: "Background jobs" })).toBeVisible();
    // A status change shows "Loading job runs…" until its rows render; counting earlier would see none.
    const show = async (status: string) => {
      await Promise.all([page.waitForResponse((r) => r.url().includes(`status=${status}`)), page.getByLabel("Status").selectOption(status)]);
      await expect(page.getByText("Loading job runs…")).toHaveCount(0);
    };
    const completedRetention = page.getByRole("row").filter({ hasText: "retention" });
    // The other specs' automation events and webhook fan-outs fill the newest 100 runs: show retention's alone.
    await Promise.all([page.waitForResponse((r) => r.url().includes("job=retention")), page.getByLabel("Job").selectOption("retention")]);
    await show("completed");
    const before = await completedRetention.count();
    expect(before).toBeGreaterThan(0); // the demo data has a completed retention run

    await show("dead");
    const candidate = page.getByRole("row").filter({ hasText: "Operation timed out after 30000 ms (demo)" }).filter({ has: page.getByRole("button", { name: "Retry" }) });
    const dead = page.getByTestId((await candidate.first().getAttribute("data-testid"))!);
    await expect(dead).toContainText("retention");
    await dead.getByRole("button", { name: "Retry" }).click();
    await expect(dead).toContainText("retried");
    await expect(dead.getByRole("button", { name: "Retry" })).toHaveCount(0);

    // The re-run is a new message that completes (the list refreshes every 10 s).
    await show("completed");
    await expect(completedRetention).toHaveCount(before + 1, { timeout: 25_000 });
  });

  test("only admins see the page", async ({ page }) => {
    await signIn(page, demo.supervisor);
    await expect(page.getByRole("link", { name: "Background jobs" })).toHaveCount(0);
    const res = await page.goto("/settings/jobs");
    expect(res?.status()).toBe(403);
  });
});
