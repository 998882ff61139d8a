import { expect, test } from "@playwright/test";
import { demo, signIn, openSettings } from "./support/pages";

// A run-unique name: a rerun on the same server (a retry) never meets its own earlier template.
const NAME = `e2e_order_${Date.now().toString(36)}`;

test.describe("template builder", () => {
  test("an admin builds a template with a variable and a quick reply, sees the preview and the linter, submits it and sees Meta approve it", async ({ page }) => {
    await signIn(page, demo.admin);
    await openSettings(page, "Templates");
    await expect(page.getByRole("heading", { name: "Message templates" })).toBeVisible();
    await page.getByRole("link", { name: "New template" }).click();
    await expect(page.getByRole("heading", { name: "New template" })).toBeVisible();

    const body = page.getByLabel("Body", { exact: true });
    const preview = page.getByTestId("template-preview");
    const checks = page.getByTestId("lint-problems");
    const submit = page.getByRole("button", { name: "Submit for review" });

    await page.getByLabel("Name", { exact: true }).fill(NAME);
    await body.fill("Hi {{1}}, your order has shipped.");
    // The sample input appears once the variable is typed.
    await expect(checks.getByRole("listitem")).toHaveText(["Give an example for {{1}} in the body"]);
    await page.getByLabel("Sample for {{1}} in the body").fill("Maria");
    await page.getByLabel("New button type").selectOption({ label: "Quick reply" });
    await page.getByRole("button", { name: "+ Add button" }).click();
    await expect(checks.getByRole("listitem")).toHaveText(["Button 1 needs a label"]);
    await page.getByLabel("Button 1 label").fill("Track order");

    await expect(preview.getByTestId("preview-body")).toHaveText("Hi Maria, your order has shipped.");
    await expect(preview.getByRole("list", { name: "Preview buttons" })).toContainText("Track order");
    await expect(checks).toContainText("No problems");
    await expect(submit).toBeEnabled();

    // The AI reads a utility template for marketing wording (offline provider here).
    await body.fill("Hi {{1}}, your order has shipped. Enjoy 20% off your next one!");
    await expect(page.getByTestId("ai-warning")).toContainText("This may be approved as MARKETING, not UTILITY");

    // An empty body is a problem Meta would refuse: submitting is impossible.
    await body.fill("");
    await expect(checks.getByRole("listitem")).toHaveText(["The body is required: write the message"]);
    await expect(submit).toBeDisabled();
    await expect(page.getByTestId("ai-warning")).toBeHidden();

    await body.fill("Hi {{1}}, your order has shipped.");
    await expect(checks).toContainText("No problems");
    await submit.click();

    await expect(page).toHaveURL(/\/templates\/[a-f0-9]{24}$/);
    await expect(page.getByRole("heading", { name: NAME })).toBeVisible();
    // Meta's (the simulator's) review arrives by webhook; the page follows it without a reload.
    const status = page.getByTestId("template-status");
    await expect(status).toContainText("APPROVED", { timeout: 30_000 });
    await expect(status).toContainText("0 of 10 edits in 30 days");

    // Deleting says what it costs, and can be called off.
    await page.getByRole("button", { name: "Delete template" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete this template?" });
    await expect(dialog).toContainText(`The name ${NAME} is then unusable for 30 days`);
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(dialog).toBeHidden();

    await page.getByRole("link", { name: "Back to templates" }).click();
    await page.getByLabel("Search by name").fill(NAME);
    await expect(page.getByTestId("template-row")).toHaveCount(1);
    await expect(page.getByTestId("template-row")).toContainText("APPROVED");
    await expect(page.getByTestId("template-row")).toContainText("0 of 10 edits in 30 days");
  });

  test("the old settings address leads to the templates page", async ({ page }) => {
    await signIn(page, demo.admin);
    await page.goto("/settings/templates");
    await expect(page).toHaveURL(/\/templates$/);
    await expect(page.getByRole("heading", { name: "Message templates" })).toBeVisible();
  });
});
