import { expect, type Page } from "@playwright/test";

/** The customer simulator page (/simulator): a person playing the customer on their phone. */
export class CustomerPhone {
  constructor(readonly page: Page) {}
  async open(phone: string, name: string) {
    await this.page.goto("/simulator");
    await this.page.getByTestId("sim-customer-phone").fill(phone);
    await this.page.getByTestId("sim-customer-name").fill(name);
    await this.page.getByRole("button", { name: "Open chat" }).click();
    await expect(this.page.getByTestId("sim-active-customer")).toHaveText(`${name} (+${phone})`);
  }
  async say(text: string) {
    await this.page.getByRole("textbox", { name: "Message" }).fill(text);
    await this.page.getByRole("button", { name: "Send", exact: true }).click();
    await expect(this.messages("customer").filter({ hasText: text })).toBeVisible();
  }
  async sendPhoto(caption: string) {
    await this.page.getByRole("textbox", { name: "Message" }).fill(caption);
    await this.page.getByRole("button", { name: "Send photo" }).click();
    await expect(this.messages("customer").filter({ hasText: caption }).getByTestId("sim-image")).toBeVisible();
  }
  messages(from: "customer" | "business") {
    return this.page.locator(`[data-testid="sim-message"][data-from="${from}"]`);
  }
  error() {
    return this.page.getByTestId("sim-error");
  }
}
