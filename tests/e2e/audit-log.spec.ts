import { expect, test } from "@playwright/test";
import { demo, openSettings, signIn } from "./support/pages";

type Row = { id: string; priority: string; contact: { name: string | null } };

/**
 * Issue 16, item 6: the audit log reads as who did what to which (names, before → after), filters by
 * person and action, and reading a conversation is not an entry.
 */
test("the audit log says who changed what on which conversation, filters by person and action, and leaves reads out", async ({ page, browser }) => {
  // The supervisor opens a conversation (a read) and raises its priority (a change).
  const context = await browser.newContext();
  const supervisor = await context.newPage();
  await signIn(supervisor, demo.supervisor);
  const { conversations } = (await (await supervisor.request.get("/api/conversations?view=all")).json()) as { conversations: Row[] };
  const target = conversations.find((c) => c.priority === "normal" && c.contact.name)!;
  expect(target, "the demo data has a named conversation at normal priority").toBeTruthy();
  await supervisor.goto(`/inbox/${target.id}`);
  await expect(supervisor.getByTestId("conversation-title")).toHaveText(target.contact.name!);
  expect((await supervisor.request.patch(`/api/conversations/${target.id}`, { data: { priority: "high" } })).ok()).toBe(true);

  await signIn(page, demo.admin);
  await openSettings(page, "Audit log");
  await expect(page.getByRole("heading", { name: "Audit log", level: 1 })).toBeVisible();
  await page.getByLabel("Who").selectOption({ label: "Sam Supervisor" });
  await page.getByLabel("Action").selectOption({ label: "Conversation updated" });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/actor=.*action=conversation\.updated/);

  const entries = page.getByRole("list", { name: "Audit log entries" }).getByRole("listitem").filter({ has: page.locator("time") });
  const entry = entries.filter({ hasText: `the conversation with ${target.contact.name}` }).first();
  await expect(entry).toContainText(`Sam Supervisor updated the conversation with ${target.contact.name}`);
  await expect(entry).toContainText("priority: normal → high");
  // Every entry shown is the supervisor's, in words: no database ids, no JSON.
  for (const text of await entries.allInnerTexts()) {
    expect(text).toContain("Sam Supervisor");
    expect(text).not.toMatch(/[a-f0-9]{24}|[{}]/);
  }

  // The read that came before the change is not an entry, whoever is asked about.
  await page.getByRole("link", { name: "Clear" }).click();
  await expect(page.getByRole("link", { name: "Clear" })).toBeHidden();
  await expect(page.locator('[data-action="conversation.read"]')).toHaveCount(0);
  await expect(page.getByRole("list", { name: "Audit log entries" })).toContainText(`the conversation with ${target.contact.name}`);

  // Put the demo data back as it was for the other specs.
  expect((await supervisor.request.patch(`/api/conversations/${target.id}`, { data: { priority: "normal" } })).ok()).toBe(true);
  await context.close();
});
