import { expect, test } from "@playwright/test";
import { demo, DEMO_PASSWORD, SignInPage, signIn, signOut, openSettings } from "./support/pages";

test.describe("sign-in and team management", () => {
  test("signed-out visitors are sent to sign-in, and come back after", async ({ page }) => {
    await page.goto("/team");
    await expect(page).toHaveURL(/\/sign-in\?callbackUrl=%2Fteam/);
    await new SignInPage(page).signIn(demo.admin, DEMO_PASSWORD);
    await expect(page.getByRole("heading", { name: "Team" })).toBeVisible();
  });

  test("the API refuses signed-out requests with the JSON error", async ({ request }) => {
    const res = await request.get("/api/users");
    expect(res.status()).toBe(401);
    expect(await res.json()).toEqual({ error: { code: "unauthorized", message: "Sign in to continue" } });
  });

  test("an admin creates an agent, who can then sign in", async ({ page }) => {
    await signIn(page, demo.admin);
    await openSettings(page, "Team");
    await page.getByRole("button", { name: "Add user" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Name").fill("Nia New");
    await dialog.getByLabel("Email").fill("nia.new@example.com");
    await dialog.getByLabel("Role").selectOption("agent");
    await dialog.getByRole("button", { name: "Create user" }).click();
    const password = (await dialog.getByTestId("one-time-password").textContent())!.trim();
    expect(password).toHaveLength(16);
    await dialog.getByRole("button", { name: "Done" }).click();
    await expect(page.getByTestId("user-row-nia.new@example.com")).toContainText("Active");

    await signOut(page);
    await signIn(page, "nia.new@example.com", password);
    await expect(page.getByText("Nia New")).toBeVisible();
    await expect(page.getByText("agent", { exact: true })).toBeVisible();

    // She replaces the one-time password; that signs her out everywhere, and the new one works.
    await page.getByRole("link", { name: "Account" }).click();
    const form = page.getByRole("form", { name: "Change password" });
    await form.getByLabel("Current password").fill(password);
    await form.getByLabel("New password", { exact: true }).fill("nia-chose-this-one");
    await form.getByLabel("Confirm new password").fill("nia-chose-this-one");
    await form.getByRole("button", { name: "Change password" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await expect(page.getByRole("status")).toContainText("Your password was changed");
    await signIn(page, "nia.new@example.com", "nia-chose-this-one");
  });

  test("signing out ends the session on the server: a copy of the cookie no longer works", async ({ page, context, playwright }) => {
    await signIn(page, demo.supervisor);
    const cookies = await context.cookies();
    const copy = await playwright.request.newContext({ baseURL: page.url(), storageState: { cookies, origins: [] } });
    expect((await copy.get("/api/conversations?view=all")).status()).toBe(200);
    await signOut(page);
    const after = await copy.get("/api/conversations?view=all");
    expect(after.status()).toBe(401);
    expect((await after.json()).error.code).toBe("unauthorized");
    await copy.dispose();
  });

  test("a wrong password shows an error", async ({ page }) => {
    const signInPage = new SignInPage(page);
    await signInPage.goto();
    await signInPage.signIn(demo.agent2, "not-the-password");
    await expect(signInPage.error()).toHaveText("Invalid email or password.");
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test("repeated failures lock this device out of the account, even for the right password", async ({ page }) => {
    const signInPage = new SignInPage(page);
    await signInPage.goto();
    for (let i = 0; i < 4; i++) {
      await signInPage.signIn(demo.viewer, `wrong-${i}`);
      await expect(signInPage.error()).toHaveText("Invalid email or password.");
    }
    await signInPage.signIn(demo.viewer, "wrong-5");
    await expect(signInPage.error()).toHaveText(/Too many failed sign-in attempts from this device. Try again in 15 minutes./);
    await signInPage.signIn(demo.viewer, DEMO_PASSWORD);
    await expect(signInPage.error()).toHaveText(/Too many failed sign-in attempts/);
  });

  test("an agent gets a 403 page for team management and a 403 from its API", async ({ page }) => {
    await signIn(page, demo.agent);
    await expect(page.getByRole("link", { name: "Team" })).toHaveCount(0);
    const res = await page.goto("/team");
    expect(res?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
    const api = await page.request.get("/api/users");
    expect(api.status()).toBe(403);
    expect(await api.json()).toEqual({ error: { code: "forbidden", message: "Your role does not allow this action" } });
  });

  test("an agent sets their availability from the header", async ({ page }) => {
    await signIn(page, demo.agent2);
    const saved = page.waitForResponse((r) => r.url().endsWith("/api/me/availability") && r.ok());
    await page.getByLabel("Availability").selectOption("away");
    await saved;
    await page.reload();
    await expect(page.getByLabel("Availability")).toHaveValue("away");
  });
});
