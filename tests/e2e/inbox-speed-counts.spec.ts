import { expect, test, type Browser, type Page } from "@playwright/test";
import { CustomerPhone } from "./support/customer-phone";
import { setConversationAgentActive } from "./support/inbox";
import { demo, signIn } from "./support/pages";

/**
 * Issue 16, items 1 and 5: inbox actions show their result at once (before the server has answered)
 * and are rolled back with a message when it refuses; the counts of the inbox tabs, the nav badge
 * and the dashboard are one number each, labelled alike, and move together.
 */

type Counts = { mine: number; unassigned: number; ai: number; all: number; unread: number };

const unassignedLabel = (n: number) => `${n} unassigned open`;
const unreadLabel = (n: number) => `${n} unread ${n === 1 ? "conversation" : "conversations"}`;

async function serverCounts(page: Page): Promise<Counts> {
  const res = await page.request.get("/api/conversations/counts");
  expect(res.ok()).toBe(true);
  return ((await res.json()) as { counts: Counts }).counts;
}

/**
 * Holds the next request to `url` until the returned function is called: while it is held, what the
 * page shows can only be its own prediction.
 */
async function holdNext(page: Page, url: RegExp) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await page.route(
    url,
    async (route) => {
      await gate;
      await route.continue();
    },
    { times: 1 },
  );
  const answered = page.waitForResponse((res) => url.test(res.url()));
  return { release, answered };
}

/** A new customer writes in; the agent's inbox (another browser context) opens that conversation. */
async function newConversation(page: Page, browser: Browser, prefix: string) {
  const phone = `${prefix}${String(Date.now()).slice(-7)}`;
  const name = `Speed Customer ${phone.slice(-5)}`;
  const customer = new CustomerPhone(page);
  await customer.open(phone, name);
  await customer.say("Hello, is my order on its way?");
  const context = await browser.newContext();
  const agent = await context.newPage();
  await signIn(agent, demo.agent);
  await agent.goto("/inbox");
  const row = agent.getByTestId("conversation-row").filter({ hasText: name });
  await row.click();
  await expect(agent.getByTestId("conversation-title")).toHaveText(name);
  const id = (await row.getAttribute("data-conversation-id"))!;
  return { agent, row, id, close: () => context.close() };
}

test.describe("inbox speed and counts", () => {
  test.beforeAll(async ({ browser }) => setConversationAgentActive(browser, false));
  test.afterAll(async ({ browser }) => setConversationAgentActive(browser, true));

  test("the inbox tab, the nav badge and the dashboard show the same labelled counts, and move together after an action", async ({ page }) => {
    await signIn(page, demo.supervisor);
    await page.goto("/inbox");
    const tab = page.getByTestId("view-count-unassigned");
    const badge = page.getByTestId("nav-unread");

    // The page's numbers are the server's (the same definition), whatever polled in meanwhile.
    let counts = await serverCounts(page);
    await expect(async () => {
      counts = await serverCounts(page);
      await expect(tab).toHaveAttribute("data-count", String(counts.unassigned), { timeout: 1_000 });
      await expect(badge).toHaveAttribute("data-count", String(counts.unread), { timeout: 1_000 });
    }).toPass();
    expect(counts.unassigned).toBeGreaterThan(0);
    await expect(tab).toHaveAttribute("title", unassignedLabel(counts.unassigned));
    await expect(page.getByTestId("view-unassigned")).toHaveAccessibleName(`Unassigned: ${unassignedLabel(counts.unassigned)}`);
    await expect(badge).toHaveAttribute("title", unreadLabel(counts.unread));
    await expect(badge).toHaveAttribute("aria-label", unreadLabel(counts.unread));
    await expect(badge).toHaveText(`${counts.unread} unread`);
    await page.getByTestId("view-unassigned").click();
    await expect(page.getByTestId("view-count-label")).toHaveText(`${unassignedLabel(counts.unassigned)} · ${unreadLabel(counts.unread)}`);

    // The dashboard: the same numbers, read the same way.
    await page.goto("/");
    const card = page.getByTestId("dashboard-count-unassigned");
    const unreadCard = page.getByTestId("dashboard-count-unread");
    await expect(card).toHaveAttribute("data-count", String(counts.unassigned));
    await expect(card).toHaveAccessibleName(unassignedLabel(counts.unassigned));
    await expect(card).toHaveText(unassignedLabel(counts.unassigned));
    await expect(unreadCard).toHaveAttribute("data-count", String(counts.unread));
    await expect(unreadCard).toHaveAttribute("title", unreadLabel(counts.unread));
    await expect(badge).toHaveAttribute("data-count", String(counts.unread));

    // An action: take an unassigned conversation. The tab moves before the server has answered.
    await page.goto("/inbox");
    const unassignedList = page.waitForResponse((res) => res.url().includes("/api/conversations?view=unassigned") && res.ok());
    await page.getByTestId("view-unassigned").click();
    const { conversations } = (await (await unassignedList).json()) as { conversations: { id: string; status: string }[] };
    const id = conversations.find((c) => c.status === "open")!.id;
    await page.locator(`[data-conversation-id="${id}"]`).click();
    await expect(page.getByRole("button", { name: "Assign to me" })).toBeVisible();
    // Opening it read it: wait until the page and the server agree again before acting.
    await expect(async () => {
      counts = await serverCounts(page);
      await expect(tab).toHaveAttribute("data-count", String(counts.unassigned), { timeout: 1_000 });
      await expect(badge).toHaveAttribute("data-count", String(counts.unread), { timeout: 1_000 });
    }).toPass();
    const held = await holdNext(page, new RegExp(`/api/conversations/${id}/assignee$`));
    await page.getByRole("button", { name: "Assign to me" }).click();
    await expect(page.getByTestId("conversation-status")).toHaveText("Assigned");
    await expect(tab).toHaveAttribute("data-count", String(counts.unassigned - 1));
    await expect(tab).toHaveAttribute("title", unassignedLabel(counts.unassigned - 1));
    held.release();
    expect((await held.answered).ok()).toBe(true);
    await expect.poll(async () => (await serverCounts(page)).unassigned).toBe(counts.unassigned - 1);
    await expect(tab).toHaveAttribute("data-count", String(counts.unassigned - 1));

    await page.goto("/");
    await expect(card).toHaveAttribute("data-count", String(counts.unassigned - 1));
    await expect(card).toHaveAccessibleName(unassignedLabel(counts.unassigned - 1));

    // Back as it was (the other specs count on the demo data): unassigned again, everywhere.
    expect((await page.request.put(`/api/conversations/${id}/assignee`, { data: { assigneeId: null } })).ok()).toBe(true);
    await expect(card).toHaveAttribute("data-count", String(counts.unassigned));
  });

  test("resolving shows at once, in the header and the list row, and survives a reload", async ({ page, browser }) => {
    const { agent, row, id, close } = await newConversation(page, browser, "1557");
    const status = agent.getByTestId("conversation-status");
    await expect(status).toHaveText("Open");

    const held = await holdNext(agent, new RegExp(`/api/conversations/${id}/status$`));
    await agent.getByRole("button", { name: "Resolve" }).click();
    // The server has not answered yet: this is the page's own prediction.
    await expect(status).toHaveText("Resolved");
    await expect(row).toContainText("Resolved");
    await expect(agent.getByRole("button", { name: "Reopen" })).toBeVisible();
    held.release();
    expect((await held.answered).ok()).toBe(true);

    await agent.reload();
    await expect(agent.getByTestId("conversation-status")).toHaveText("Resolved");
    await expect(agent.getByTestId("thread").getByTestId("message").filter({ hasText: "resolved the conversation" })).toBeVisible();
    await close();
  });

  test("an action the server refuses is rolled back and says why", async ({ page, browser }) => {
    const { agent, id, close } = await newConversation(page, browser, "1558");
    const status = agent.getByTestId("conversation-status");
    await expect(status).toHaveText("Open");

    // Snoozing until a time already past: shown at once, refused by the server (422).
    const held = await holdNext(agent, new RegExp(`/api/conversations/${id}/status$`));
    await agent.getByRole("button", { name: "Snooze" }).click();
    await agent.getByLabel("Snooze until a date and time").fill("2020-01-01T09:00");
    await agent.getByRole("button", { name: "Set" }).click();
    await expect(status).toContainText("Snoozed until");
    held.release();
    expect((await held.answered).status()).toBe(422);

    await expect(status).toHaveText("Open");
    await expect(agent.getByTestId("action-error")).toHaveText("Not saved: snoozedUntil must be in the future. The conversation is shown as it was.");
    await expect(agent.getByRole("button", { name: "Resolve" })).toBeVisible();
    await agent.reload();
    await expect(agent.getByTestId("conversation-status")).toHaveText("Open");
    await close();
  });
});
