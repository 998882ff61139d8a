import { expect, test, type Page } from "@playwright/test";
import { demo, openSettings, signIn } from "./support/pages";

const PHONE = { width: 390, height: 844 };

/** How far the page scrolls sideways (0 when it fits), and the widest elements that stick out, to name the culprit. */
async function horizontalOverflow(page: Page) {
  const { overflow, culprits } = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const out = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      // Inside a scrolling box (a wide table) sticking out is the point; name only what widens the page.
      .filter((el) => !el.parentElement?.closest(".overflow-x-auto, .overflow-auto, .overflow-hidden, .overflow-x-hidden"))
      .slice(-3)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`.slice(0, 120));
    return { overflow: document.documentElement.scrollWidth - width, culprits: out };
  });
  if (overflow > 0) console.log("sticking out:", culprits);
  return overflow;
}

test.describe("navigation and settings", () => {
  test("the daily work is at the top, everything else is one Settings page away, grouped, with a way back", async ({ page }) => {
    await signIn(page, demo.admin);
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link")).toHaveText(["Inbox", "Tickets", "Contacts", "Journey", "Campaigns", "Automations", "Dashboard", "Settings"].map((l) => new RegExp(`^${l}`)));

    await openSettings(page, "Audit log");
    await expect(page).toHaveURL(/\/settings\/audit-log$/);
    await expect(nav.getByRole("link", { name: "Settings", exact: true })).toHaveAttribute("aria-current", "page");
    await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Back to all settings" }).click();
    for (const group of ["Workspace", "Channels", "AI", "Developer"]) await expect(page.getByRole("heading", { name: group, exact: true })).toBeVisible();
    await expect(page.getByRole("main").getByRole("link", { name: "Background jobs", exact: true })).toHaveAccessibleDescription(/failures and retries/);
  });

  test("a marketer's Settings holds only what a marketer may open", async ({ page }) => {
    await signIn(page, demo.marketer);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings", exact: true }).click();
    await expect(page.getByRole("main").getByRole("link")).toHaveCount(1);
    await expect(page.getByRole("main").getByRole("link")).toHaveAccessibleName("Templates");
  });

  test("every page has a favicon", async ({ request }) => {
    const res = await request.get("/icon.svg");
    expect(res.status()).toBe(200);
    expect(res.headers()["content-type"]).toContain("image/svg+xml");
  });
});

test.describe("on a phone (390×844)", () => {
  test.use({ viewport: PHONE, isMobile: true, hasTouch: true });

  test("the menu folds away, the list is one screen, the conversation the next with a back control, and the composer is in view", async ({ page }) => {
    await signIn(page, demo.agent);
    await page.goto("/inbox");
    const menu = page.getByRole("button", { name: "Menu" });
    await expect(menu).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
    const list = page.getByTestId("conversation-list");
    await expect(list.getByTestId("conversation-row").first()).toBeVisible();
    // The list starts near the top: one slim bar and the filters above it, no 440 px header.
    expect((await list.boundingBox())!.y).toBeLessThan(260);
    expect(await horizontalOverflow(page)).toBe(0);

    await list.getByTestId("conversation-row").first().click();
    await expect(page.getByTestId("conversation-title")).toBeVisible();
    await expect(list).toBeHidden();
    const reply = page.getByRole("region", { name: "Reply" }).getByRole("textbox");
    await expect(reply).toBeInViewport();
    expect(await horizontalOverflow(page)).toBe(0);

    await page.getByRole("link", { name: "Back to the list" }).click();
    await expect(list).toBeVisible();

    await menu.click();
    await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }).click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
    expect(await horizontalOverflow(page)).toBe(0);
  });

  test("contacts, tickets and settings fit the screen width", async ({ page }) => {
    await signIn(page, demo.admin);
    // Marketers name segments at length; the segment picker must not widen the page for it.
    const name = `Spring launch: read, not replied, phone ${Date.now()}`.slice(0, 80);
    const created = await page.request.post("/api/segments", { data: { name, definition: { match: "all", conditions: [{ field: "name", op: "contains", value: "a" }] } } });
    expect(created.status(), await created.text()).toBe(201);
    for (const path of ["/contacts", "/tickets", "/settings", "/settings/audit-log", "/settings/general"]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
      expect(await horizontalOverflow(page), path).toBe(0);
    }
    const { segment } = (await created.json()) as { segment: { id: string } };
    expect((await page.request.delete(`/api/segments/${segment.id}`)).ok()).toBe(true);
  });
});
