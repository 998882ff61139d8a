import { expect, type Browser, type Page } from "@playwright/test";
import { demo, signIn } from "./pages";

/** The agent inbox as a person uses it: the list, the open thread and the composer. */
export class Inbox {
  constructor(readonly page: Page) {}
  rows() {
    return this.page.getByTestId("conversation-row");
  }
  row(name: string) {
    return this.rows().filter({ hasText: name });
  }
  thread() {
    return this.page.getByTestId("thread");
  }
  bubble(text: string) {
    return this.thread().getByTestId("message").filter({ hasText: text });
  }
  composer() {
    return this.page.getByRole("textbox", { name: "Reply to the customer" });
  }
  async reply(text: string) {
    await this.composer().fill(text);
    await this.composer().press("Enter");
  }
  status() {
    return this.page.getByTestId("conversation-status");
  }
  async search(q: string) {
    await this.page.getByRole("searchbox", { name: /Search conversations/ }).fill(q);
  }
  /** Pixels between what the thread shows and its end: 0 when the newest message is in view. */
  distanceFromBottom() {
    return this.thread().evaluate((el) => Math.round(el.scrollHeight - el.scrollTop - el.clientHeight));
  }
}

/** A teammate in their own browser context, signed in, on /inbox. */
export async function agentPage(browser: Browser, email: string, viewport?: { width: number; height: number }) {
  const context = await browser.newContext(viewport ? { viewport } : {});
  const page = await context.newPage();
  await signIn(page, email);
  await page.goto("/inbox");
  return { page, inbox: new Inbox(page), close: () => context.close() };
}

/**
 * Specs about people working the inbox switch the conversation AI agent off while they run
 * (tests/e2e/ai.spec.ts covers the AI), so its debounced reply or handover cannot race the
 * agent's clicks; switched back on afterwards through the same admin API.
 */
export async function setConversationAgentActive(browser: Browser, active: boolean) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, demo.admin);
  const { agents } = (await (await page.request.get("/api/ai-agents")).json()) as { agents: { id: string; type: string }[] };
  for (const a of agents.filter((x) => x.type === "conversation")) {
    const res = await page.request.patch(`/api/ai-agents/${a.id}`, { data: { active } });
    expect(res.ok()).toBe(true);
  }
  await context.close();
}
