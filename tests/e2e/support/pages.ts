import { expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "demo-password-1";
export const demo = {
  admin: "admin@example.com",
  supervisor: "supervisor@example.com",
  marketer: "marketer@example.com",
  agent: "agent1@example.com",
  agent2: "agent2@example.com",
  viewer: "viewer@example.com",
};

/** The sign-in page as a person uses it. */
export class SignInPage {
  constructor(private readonly page: Page) {}
  async goto() {
    await this.page.goto("/sign-in");
  }
  async signIn(email: string, password: string) {
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }
  error() {
    // Scoped to the form: Next's route announcer is also a role=alert element.
    return this.page.getByRole("form", { name: "Sign in" }).getByRole("alert");
  }
}

/** Signs in and waits for the signed-in shell. */
export async function signIn(page: Page, email: string, password = DEMO_PASSWORD) {
  const signInPage = new SignInPage(page);
  await signInPage.goto();
  await signInPage.signIn(email, password);
  // On a phone the user menu is folded behind Menu; either one showing means the shell is up.
  await expect(page.getByRole("button", { name: /^(Sign out|Menu)$/ })).toBeVisible();
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
}

/** Opens a settings page the way a person does: Settings in the navigation, then the page's entry. */
export async function openSettings(page: Page, label: string) {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Settings", exact: true })).toBeVisible();
  await page.getByRole("main").getByRole("link", { name: label, exact: true }).click();
}
