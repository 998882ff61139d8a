import { expect, test, type Browser, type Page } from "@playwright/test";
import { CustomerPhone } from "./support/customer-phone";
import { agentPage, setConversationAgentActive } from "./support/inbox";
import { DEMO_PASSWORD, SignInPage, demo, signIn } from "./support/pages";

/**
 * What a support team notices on its first morning in the inbox: pop-ups that close, a thread
 * that follows the conversation, live photos and ticks, replies that assign, the offline prompt
 * and the demo sign-in. The customer is played on the simulator page, the agent works in /inbox.
 */

/** A new customer who has just written, and the agent with that conversation open. */
async function customerWrote(page: Page, browser: Browser, first: string, viewport?: { width: number; height: number }) {
  const phone = `1557${String(Date.now()).slice(-7)}`;
  const name = `Polish Customer ${phone.slice(-4)}`;
  const customer = new CustomerPhone(page);
  await customer.open(phone, name);
  await customer.say(first);
  const agent = await agentPage(browser, demo.agent, viewport ?? { width: 1280, height: 800 });
  await agent.inbox.row(name).click();
  await expect(agent.inbox.bubble(first)).toBeVisible();
  return { customer, name, ...agent };
}

test.describe("inbox polish", () => {
  test.beforeAll(async ({ browser }) => setConversationAgentActive(browser, false));
  test.afterAll(async ({ browser }) => setConversationAgentActive(browser, true));

  test("the saved-replies and suggested-replies pop-ups close with Escape, a click outside, a note, resolving and the shortcuts help", async ({ page, browser }) => {
    const { inbox, page: agent, close } = await customerWrote(page, browser, "Do you ship to Canada?");
    const saved = agent.getByRole("listbox", { name: "Saved replies" });
    const suggested = agent.getByRole("dialog", { name: "Suggested replies" });
    const suggest = agent.getByRole("button", { name: "Suggest", exact: true });

    // "/" offers saved replies; Escape closes them, typing again reopens, a click elsewhere closes.
    await inbox.composer().fill("/");
    await expect(saved).toBeVisible();
    await inbox.composer().press("Escape");
    await expect(saved).toBeHidden();
    await inbox.composer().fill("");
    await inbox.composer().fill("/");
    await expect(saved).toBeVisible();
    await inbox.thread().click();
    await expect(saved).toBeHidden();
    await inbox.composer().fill("");

    // The AI's suggested replies: Escape, a click outside, switching to a note.
    await suggest.click();
    await expect(suggested).toBeVisible();
    await agent.keyboard.press("Escape");
    await expect(suggested).toBeHidden();
    await suggest.click();
    await expect(suggested).toBeVisible();
    await inbox.thread().click();
    await expect(suggested).toBeHidden();
    await suggest.click();
    await expect(suggested).toBeVisible();
    await agent.getByRole("tab", { name: "Internal note" }).click();
    await expect(suggested).toBeHidden();
    await agent.getByRole("tab", { name: "Reply" }).click();

    // The keyboard shortcuts dialog takes over the screen: the pop-up does not stay on top of it.
    await suggest.click();
    await expect(suggested).toBeVisible();
    await agent.keyboard.press("?");
    const help = agent.getByRole("dialog", { name: "Keyboard shortcuts" });
    await expect(help).toBeVisible();
    await expect(suggested).toBeHidden();
    await agent.keyboard.press("Escape");
    await expect(help).toBeHidden();

    // Resolving the conversation closes it too.
    await suggest.click();
    await expect(suggested).toBeVisible();
    await agent.getByRole("button", { name: "Resolve", exact: true }).click();
    await expect(agent.getByTestId("conversation-status")).toHaveText("Resolved");
    await expect(suggested).toBeHidden();
    await close();
  });

  test("the thread follows new messages and a live photo at the bottom, and offers New messages when the agent scrolled up", async ({ page, browser }) => {
    // A short window, so a handful of messages fill the thread.
    const { customer, inbox, page: agent, close } = await customerWrote(page, browser, "Hi, my parcel arrived damaged", { width: 1280, height: 560 });
    // Each one after the last has arrived: WhatsApp's timestamps are whole seconds, so messages sent
    // within one second are ordered by when the app stored them, which is not always the order sent.
    for (const text of ["The box was crushed", "Two cups are broken", "I have the receipt", "What can you do?"]) {
      await customer.say(text);
      await expect(inbox.bubble(text)).toBeAttached();
    }
    await expect(inbox.bubble("What can you do?")).toBeInViewport();
    await expect.poll(() => inbox.distanceFromBottom()).toBeLessThan(5);
    expect(await inbox.thread().evaluate((el) => el.scrollHeight > el.clientHeight)).toBe(true);

    // A photo arrives live with its picture (not only the caption) and stays in view once it has loaded.
    await customer.sendPhoto("This is how it looked");
    const photo = inbox.bubble("This is how it looked").getByRole("img", { name: "This is how it looked" });
    await expect(photo).toBeVisible();
    await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await expect.poll(() => inbox.distanceFromBottom()).toBeLessThan(5);
    await expect(photo).toBeInViewport();

    // Reading older messages: a new one does not yank the agent down; a button offers it.
    await inbox.thread().evaluate((el) => el.scrollTo({ top: 0 }));
    await expect.poll(() => inbox.distanceFromBottom()).toBeGreaterThan(80);
    await customer.say("Hello? Anyone there?");
    const jump = agent.getByRole("button", { name: "New messages ↓" });
    await expect(jump).toBeVisible();
    await expect(inbox.bubble("Hello? Anyone there?")).not.toBeInViewport();
    expect(await inbox.thread().evaluate((el) => el.scrollTop)).toBe(0);
    await jump.click();
    await expect(inbox.bubble("Hello? Anyone there?")).toBeInViewport();
    await expect(jump).toBeHidden();
    await close();
  });

  test("a connection blip does not freeze the thread: a photo sent meanwhile shows as soon as the connection is back", async ({ page, browser }) => {
    const { customer, inbox, page: agent, close } = await customerWrote(page, browser, "Can I send you a picture?");
    // The thread's live updates fail for a while, as on a flaky mobile connection.
    let failing = true;
    let failed = 0;
    await agent.route("**/api/conversations/*/messages?updatedAfter=*", async (route) => {
      if (!failing) return route.continue();
      failed++;
      await route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify({ error: { code: "internal", message: "Service unavailable" } }) });
    });
    await expect.poll(() => failed).toBeGreaterThanOrEqual(3);
    const lost = agent.getByRole("status").filter({ hasText: "Connection lost" });
    await expect(lost).toBeVisible();
    await customer.sendPhoto("The label on the box");
    failing = false;
    // Polling carries on every couple of seconds (no growing back-off), so the photo arrives promptly.
    const photo = inbox.bubble("The label on the box").getByRole("img", { name: "The label on the box" });
    await expect(photo).toBeVisible({ timeout: 5_000 });
    await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    await expect(lost).toBeHidden();
    await close();
  });

  test("replying to an unassigned conversation assigns it to the agent who replied", async ({ page, browser }) => {
    const { inbox, name, page: agent, close } = await customerWrote(page, browser, "Is anyone working today?");
    await expect(inbox.row(name)).toContainText("Unassigned");
    await expect(agent.getByTestId("conversation-status")).not.toHaveText("Assigned");

    await inbox.reply("Yes, I can help you");
    await expect(agent.getByTestId("conversation-status")).toHaveText("Assigned");
    await expect(inbox.row(name)).toContainText("Me");
    await expect(inbox.bubble("Alex Agent took the conversation")).toBeVisible();
    // Still theirs after a reload: the server assigned it.
    await agent.reload();
    await expect(agent.getByTestId("conversation-status")).toHaveText("Assigned");
    await close();
  });

  test("a new customer's contact panel says what is known about consent, and dates read as words", async ({ page, browser }) => {
    const { page: agent, close } = await customerWrote(page, browser, "First time writing to you");
    const consent = agent.getByRole("complementary", { name: "Contact" }).getByRole("region", { name: "Consent" });
    await expect(consent).toContainText("No consent recorded");
    await expect(consent).toContainText("no marketing opt-in yet");
    await expect(consent).not.toContainText("unknown");
    await expect(consent).not.toContainText("marketing stopped");
    // Nowhere in the panel a date followed by "ago" ("Oct 24 ago"): relative times or dates, not both.
    await expect(agent.getByRole("complementary", { name: "Contact" })).not.toContainText(/[A-Z][a-z]{2} \d{1,2} ago/);
    await close();
  });

  test("a reply's tick goes from the clock to read without a reload, drawn as an icon", async ({ page, browser }) => {
    const { customer, inbox, name, page: agent, close } = await customerWrote(page, browser, "Did you get my order?");
    // Hold the send until the clock has been seen, so the test sees every step.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await agent.route("**/api/conversations/*/messages", async (route) => {
      if (route.request().method() === "POST") await held;
      await route.continue();
    });

    await inbox.reply("Yes, it is on its way");
    const tick = inbox.bubble("Yes, it is on its way").getByTestId("tick");
    await expect(tick).toHaveAttribute("data-status", "pending");
    await expect(tick.getByRole("img", { name: "Sending" })).toBeVisible();
    release();

    await expect(customer.messages("business").filter({ hasText: "Yes, it is on its way" })).toBeVisible();
    await expect(tick).toHaveAttribute("data-status", "read");
    await expect(tick.getByRole("img", { name: "Read" })).toBeVisible();
    await expect(tick).not.toContainText("🕓");
    // The conversation list says the same, with the same icons.
    await expect(inbox.row(name).getByRole("img", { name: "Last reply read" })).toBeVisible();
    await close();
  });
});

test("an offline agent is asked to go online, and can put it off", async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, demo.agent2);
  const setAvailability = async (availability: string) => expect((await page.request.put("/api/me/availability", { data: { availability } })).ok()).toBe(true);
  await setAvailability("offline");
  try {
    await page.goto("/inbox");
    const prompt = page.getByRole("region", { name: "You are offline" });
    await expect(prompt).toContainText("You’re offline — customers won’t be assigned to you.");
    await prompt.getByRole("button", { name: "Not now" }).click();
    await expect(prompt).toBeHidden();

    await page.reload();
    await expect(prompt).toBeVisible();
    await prompt.getByRole("button", { name: "Go online" }).click();
    await expect(prompt).toBeHidden();
    await expect(page.getByRole("combobox", { name: "Availability" }).first()).toHaveValue("online");
    await page.reload();
    await expect(page.getByTestId("conversation-row").first()).toBeVisible();
    await expect(prompt).toHaveCount(0);
  } finally {
    await setAvailability("online");
    await context.close();
  }
});

test("General settings has Assign on reply, on by default", async ({ page }) => {
  await signIn(page, demo.admin);
  await page.goto("/settings/general");
  const toggle = page.getByRole("checkbox", { name: /Assign on reply/ });
  await expect(toggle).toBeChecked();
  await expect(page.getByText("Replying to an unassigned conversation assigns it to the agent who replied.")).toBeVisible();
});

test("the sign-in page shows the demo sign-in, and it works", async ({ page }) => {
  await new SignInPage(page).goto();
  const box = page.getByRole("region", { name: "Demo sign-in" });
  await expect(box).toContainText(demo.admin);
  await expect(box).toContainText(DEMO_PASSWORD);
  await new SignInPage(page).signIn(demo.admin, DEMO_PASSWORD);
  await expect(page.getByRole("button", { name: /^(Sign out|Menu)$/ })).toBeVisible();
});
