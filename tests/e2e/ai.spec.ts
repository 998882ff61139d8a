import { expect, test, type APIRequestContext, type Browser } from "@playwright/test";
import { CustomerPhone } from "./support/customer-phone";
import { demo, signIn } from "./support/pages";

/**
 * The AI agent end to end (offline AI, in-process jobs): a question typed in the customer simulator
 * is answered by the AI and shows in the inbox as AI; the conversation's AI switch stops replies;
 * "I want to talk to a person" hands the conversation to the humans, Unassigned, with the reason.
 */
async function conversationId(api: APIRequestContext, name: string): Promise<string> {
  let id: string | undefined;
  await expect
    .poll(async () => {
      const body = (await (await api.get(`/api/conversations?q=${encodeURIComponent(name)}`)).json()) as { conversations: { id: string; contact: { name: string | null } }[] };
      id = body.conversations.find((c) => c.contact.name === name)?.id;
      return !!id;
    })
    .toBe(true);
  return id!;
}

/** Agents offline: auto-assignment then leaves a handed-over conversation in Unassigned. */
async function setAgentsAvailability(browser: Browser, availability: "online" | "offline") {
  for (const email of [demo.agent, demo.agent2]) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await signIn(page, email);
    expect((await page.request.put("/api/me/availability", { data: { availability } })).status()).toBe(200);
    await ctx.close();
  }
}

test.describe("AI agent", () => {
  test.beforeAll(async ({ browser }) => setAgentsAvailability(browser, "offline"));
  test.afterAll(async ({ browser }) => setAgentsAvailability(browser, "online"));

  test("answers in the inbox as AI, stops when switched off, and hands over to Unassigned with the reason", async ({ page, context }) => {
    const phone = `1646${String(Date.now()).slice(-7)}`;
    const name = `E2E AI ${phone.slice(-4)}`;
    const customer = new CustomerPhone(page);
    await customer.open(phone, name);
    await customer.say("Do you ship to Canada?");

    const inbox = await context.newPage();
    await signIn(inbox, demo.admin);
    const id = await conversationId(inbox.request, name);
    await inbox.goto(`/inbox/${id}`);
    const thread = inbox.getByTestId("thread");
    const aiAnswer = thread.getByTestId("message").filter({ hasText: "offline AI" }).filter({ hasText: "Canada" });
    await expect(aiAnswer).toBeVisible({ timeout: 20_000 });
    await expect(aiAnswer).toContainText("AI");
    await expect(customer.messages("business").filter({ hasText: "Canada" })).toBeVisible();
    // The "offline AI" badge is the agent's; the customer's phone shows the answer alone.
    await expect(customer.messages("business").filter({ hasText: "offline AI" })).toHaveCount(0);

    // The switch stops replies.
    const aiSwitch = inbox.getByRole("checkbox", { name: "AI replies" });
    // A controlled switch: it shows the server's state once the change is saved.
    await aiSwitch.click();
    await expect(aiSwitch).not.toBeChecked();
    await customer.say("Which payment methods do you accept?");
    await expect(thread.getByTestId("message").filter({ hasText: "Which payment methods do you accept?" })).toBeVisible({ timeout: 15_000 });
    await inbox.waitForTimeout(5_000);
    await expect(customer.messages("business")).toHaveCount(1);

    // Back on: asking for a person hands over.
    await aiSwitch.click();
    await expect(aiSwitch).toBeChecked();
    await customer.say("I want to talk to a person");
    await expect(inbox.getByText("AI handover: Customer asked for a human")).toBeVisible({ timeout: 20_000 });
    await expect(thread.getByRole("note").filter({ hasText: "AI handed over to a human: Customer asked for a human" })).toBeVisible();
    // The customer is told a person will answer (the organization's handover message), once.
    await expect(customer.messages("business").filter({ hasText: "passing you to a member of our team" })).toBeVisible({ timeout: 15_000 });
    await expect(customer.messages("business")).toHaveCount(2);

    await inbox.goto("/inbox");
    await inbox.getByTestId("view-unassigned").click();
    await expect(inbox.getByTestId("conversation-row").filter({ hasText: name })).toBeVisible({ timeout: 15_000 });
  });
});
