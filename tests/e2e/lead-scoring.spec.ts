import { expect, test } from "@playwright/test";
import { demo, openSettings, signIn } from "./support/pages";

const RUN = `score${Date.now().toString(36)}`;

test.describe("lead scoring", () => {
  test("a contact's score explains itself factor by factor, locks and unlocks; an admin's new weights rescore it", async ({ page }) => {
    test.setTimeout(120_000);
    await signIn(page, demo.admin);
    const res = await page.request.post("/api/contacts", {
      data: { phone: `+447700${String(100_000 + (Date.now() % 800_000)).slice(-6)}`, name: `${RUN} Buyer`, email: `${RUN}@example.com`, company: "Acme" },
    });
    expect(res.status(), await res.text()).toBe(201);
    const { contact } = (await res.json()) as { contact: { id: string } };

    await page.goto(`/contacts/${contact.id}`);
    const card = page.getByTestId("lead-score-card");
    await expect(card.getByRole("heading", { name: "Lead score: not scored yet" })).toBeVisible();

    // Locking an unscored contact scores it first: email and company known are the fit points.
    await card.getByRole("button", { name: "Lock score" }).click();
    await expect(card.getByTestId("lead-score-value")).toHaveText("10");
    await expect(card.getByTestId("lead-score-explanation")).toHaveText("10 = engagement 0 + recency 0 + frequency 0 + buying intent 0 + fit 10");
    await expect(card.getByText("Email address known")).toBeVisible();
    await expect(card.getByText("Company known (Acme)")).toBeVisible();
    await expect(card.getByText("Locked", { exact: true })).toBeVisible();

    // New weights: an email is worth 20 now. The settings page shows the distribution and saves.
    await openSettings(page, "Lead scoring");
    await expect(page.getByRole("heading", { name: "Score distribution" })).toBeVisible();
    await page.getByLabel("Email known").fill("20");
    await page.getByRole("button", { name: "Save weights" }).click();
    await expect(page.getByRole("status")).toHaveText("Saved. Every contact is being rescored in the background.");

    // While locked the rescore leaves it at 10; unlocking rescores it with the new weights.
    await page.goto(`/contacts/${contact.id}`);
    await expect(card.getByTestId("lead-score-value")).toHaveText("10");
    await card.getByRole("button", { name: "Unlock score" }).click();
    await expect(card.getByTestId("lead-score-value")).toHaveText("25");
    await expect(card.getByTestId("lead-score-explanation")).toHaveText("25 = engagement 0 + recency 0 + frequency 0 + buying intent 0 + fit 25");
    await expect(card.getByText("Locked", { exact: true })).toBeHidden();

    // The directory shows it in its Lead score column (chosen in Columns).
    await page.goto(`/contacts?q=${RUN}`);
    await page.getByText("Columns", { exact: true }).click();
    await page.getByRole("group", { name: "Columns" }).getByLabel("Lead score").check();
    await expect(page.getByRole("columnheader", { name: "Lead score" })).toBeVisible();
    await expect(page.getByTestId("contact-row").first().getByRole("cell", { name: "25", exact: true })).toBeVisible();

    // Put the weights back for the other specs on this server.
    await page.request.put("/api/settings/lead-scoring", {
      data: { halfLifeDays: 14, engagement: { replies: 15, readRate: 10, clicks: 10 }, recency: 20, frequency: 15, intent: 20, fit: { email: 5, company: 5, tags: [] } },
    });
  });
});
