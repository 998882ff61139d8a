import { expect, test, type Page } from "@playwright/test";
import { CustomerPhone } from "./support/customer-phone";
import { agentPage, setConversationAgentActive } from "./support/inbox";
import { demo } from "./support/pages";

/**
 * The agent inbox in the browser against the real app: the customer is played on the simulator page
 * (Graph API simulator -> signed webhook -> app), the agent works in /inbox.
 */
test.describe("agent inbox", () => {
  test.beforeAll(async ({ browser }) => setConversationAgentActive(browser, false));
  test.afterAll(async ({ browser }) => setConversationAgentActive(browser, true));

  test("a customer's message appears live, the reply reaches the phone with ticks to read, notes stay internal, and the conversation moves through assign, snooze, resolve and reopen", async ({ page, browser }) => {
    const phone = `1555${String(Date.now()).slice(-7)}`;
    const name = `Inbox Customer ${phone.slice(-4)}`;
    const customer = new CustomerPhone(page);
    await customer.open(phone, name);
    const agent = await agentPage(browser, demo.agent);
    const { inbox } = agent;
    await expect(inbox.rows().first()).toBeVisible();

    // Live: the list and then the open thread update within 3 s, without a reload.
    await customer.say("Hello, where is my order 1042?");
    await expect(inbox.row(name)).toBeVisible({ timeout: 3_000 });
    await inbox.row(name).click();
    await expect(inbox.bubble("Hello, where is my order 1042?")).toBeVisible();
    await customer.say("It was due yesterday");
    await expect(inbox.bubble("It was due yesterday")).toBeVisible({ timeout: 3_000 });

    // Reply: optimistic bubble, then the simulator's statuses advance the tick to read.
    await inbox.reply("It ships today, sorry for the wait!");
    await expect(customer.messages("business").filter({ hasText: "It ships today, sorry for the wait!" })).toBeVisible();
    await expect(inbox.bubble("It ships today, sorry for the wait!").getByTestId("tick")).toHaveAttribute("data-status", "read", { timeout: 10_000 });

    // An internal note is shown to the team and never reaches the customer.
    await agent.page.getByRole("tab", { name: "Internal note" }).click();
    await agent.page.getByRole("textbox", { name: /Internal note/ }).fill("Customer is upset, offer a voucher");
    await agent.page.getByRole("button", { name: "Add note" }).click();
    await expect(inbox.bubble("Customer is upset, offer a voucher")).toBeVisible();
    await agent.page.getByRole("tab", { name: "Reply" }).click();
    await page.waitForTimeout(1_000);
    await expect(customer.messages("business").filter({ hasText: "voucher" })).toHaveCount(0);

    // The reply took the conversation (assign on reply); snooze, then the customer writing reopens it.
    await expect(inbox.status()).toHaveText("Assigned");
    await expect(inbox.bubble("took the conversation")).toBeVisible();
    await agent.page.getByRole("button", { name: "Snooze" }).click();
    await agent.page.getByRole("menuitem", { name: "4 hours" }).click();
    await expect(inbox.status()).toContainText("Snoozed until");
    await customer.say("Any news?");
    await expect(inbox.status()).toHaveText("Assigned", { timeout: 5_000 });

    // Resolve with the keyboard (e), and a new customer message reopens it.
    await agent.page.locator("body").click({ position: { x: 5, y: 5 } });
    await agent.page.keyboard.press("e");
    await expect(inbox.status()).toHaveText("Resolved");
    await expect(inbox.bubble("resolved the conversation")).toBeVisible();
    await customer.say("One more question");
    await expect(inbox.status()).toHaveText("Assigned", { timeout: 5_000 });
    await agent.close();
  });

  test("an agent attaches an image, it is uploaded to Meta and reaches the customer's phone", async ({ page, browser }) => {
    const phone = `1556${String(Date.now()).slice(-7)}`;
    const name = `Photo Customer ${phone.slice(-4)}`;
    const customer = new CustomerPhone(page);
    await customer.open(phone, name);
    const { page: agentTab, inbox, close } = await agentPage(browser, demo.agent);
    await customer.say("Can you send me a photo of the product?");
    await inbox.row(name).click();
    // A 1x1 PNG: the composer checks type and size before uploading to /api/media.
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64");
    await agentTab.getByLabel("Attach a file").setInputFiles({ name: "product.png", mimeType: "image/png", buffer: png });
    await expect(agentTab.getByText("product.png")).toBeVisible();
    await inbox.reply("Here it is");
    await expect(customer.messages("business").filter({ hasText: "Here it is" }).getByTestId("sim-image")).toBeVisible({ timeout: 10_000 });
    await close();
  });

  test("a closed 24-hour window offers approved templates and sends one", async ({ browser }) => {
    const { page, inbox, close } = await agentPage(browser, demo.admin);
    // Seed conversations from two days ago have a closed window.
    await inbox.search("Omar Brown");
    await inbox.row("Omar Brown").click();
    await expect(page.getByTestId("window-closed")).toBeVisible();
    await expect(inbox.composer()).toHaveCount(0);
    const picker = page.getByTestId("template-picker");
    const select = picker.getByRole("combobox", { name: /Approved template/ });
    // The picker loads the synced templates first ("Loading templates…"): wait for real options.
    await expect(select.locator("option").nth(1)).toBeAttached();
    await select.selectOption({ index: 1 });
    for (const input of await picker.getByRole("textbox").all()) await input.fill("Omar");
    const preview = (await page.getByTestId("template-preview").innerText()).trim();
    expect(preview).not.toMatch(/\{\{/);
    await picker.getByRole("button", { name: "Send template" }).click();
    const sent = inbox.thread().locator('[data-message-type="template"]').last();
    await expect(sent).toContainText(preview.split("\n")[0]!.slice(0, 20));
    await expect(sent.getByTestId("tick")).not.toHaveAttribute("data-status", "pending", { timeout: 10_000 });
    await close();
  });

  test("search finds a conversation by message text, and j/k move through the list", async ({ browser }) => {
    const { page, inbox, close } = await agentPage(browser, demo.supervisor);
    // "Where is your store?" is in two seeded threads (Aisha Brown's and Noah Khan's), in no contact's name.
    await inbox.search("store");
    await expect(inbox.row("Aisha Brown")).toBeVisible();
    await expect(inbox.rows()).toHaveCount(2);
    await expect(inbox.row("Maria Garcia")).toHaveCount(0);
    await inbox.search("");
    await expect(inbox.rows().nth(2)).toBeVisible();
    await page.locator("body").click({ position: { x: 5, y: 5 } });
    await page.keyboard.press("j");
    const first = await inbox.rows().nth(0).getAttribute("data-conversation-id");
    const second = await inbox.rows().nth(1).getAttribute("data-conversation-id");
    await expect(page).toHaveURL(new RegExp(`/inbox/${first}$`));
    await page.keyboard.press("j");
    await expect(page).toHaveURL(new RegExp(`/inbox/${second}$`));
    await page.keyboard.press("k");
    await expect(page).toHaveURL(new RegExp(`/inbox/${first}$`));
    await page.keyboard.press("?");
    await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
    await close();
  });

  test("an agent cannot open another agent's conversation", async ({ browser }) => {
    const admin = await agentPage(browser, demo.admin);
    const res = await admin.page.request.get(`/api/conversations?view=all&assignee=${await userId(admin.page, "Bea Agent")}`);
    const theirs = ((await res.json()) as { conversations: { id: string }[] }).conversations[0]!;
    await admin.close();

    const agent = await agentPage(browser, demo.agent);
    await expect(agent.inbox.rows().first()).toBeVisible();
    await expect(agent.page.locator(`[data-conversation-id="${theirs.id}"]`)).toHaveCount(0);
    await agent.page.goto(`/inbox/${theirs.id}`);
    await expect(agent.page.getByText("403")).toBeVisible();
    const api = await agent.page.request.get(`/api/conversations/${theirs.id}`);
    expect(api.status()).toBe(403);
    await agent.close();
  });
});

async function userId(page: Page, name: string): Promise<string> {
  const res = await page.request.get("/api/conversations/assignees");
  return ((await res.json()) as { assignees: { id: string; name: string }[] }).assignees.find((a) => a.name === name)!.id;
}
