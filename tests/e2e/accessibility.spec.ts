import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { demo, signIn } from "./support/pages";

/** axe-core's WCAG 2.1 A and AA rules; a page passes with no serious or critical violation. */
async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
}

test.describe("accessibility", () => {
  test("sign-in has no serious or critical axe violations", async ({ page }) => {
    await page.goto("/sign-in");
    await expect(page.getByRole("form", { name: "Sign in" })).toBeVisible();
    expect(await seriousViolations(page)).toEqual([]);
  });

  test("inbox, a conversation, contacts and settings have no serious or critical axe violations", async ({ page }) => {
    await signIn(page, demo.admin);
    await page.goto("/inbox");
    await expect(page.getByTestId("conversation-row").first()).toBeVisible();
    expect(await seriousViolations(page), "/inbox").toEqual([]);

    await page.getByTestId("conversation-row").first().click();
    await expect(page.getByTestId("conversation-title")).toBeVisible();
    await expect(page.getByTestId("thread").getByTestId("message").first()).toBeVisible();
    expect(await seriousViolations(page), "a conversation").toEqual([]);

    for (const path of ["/contacts", "/journey", "/settings", "/settings/general", "/settings/audit-log", "/"]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 }).first()).toBeVisible();
      expect(await seriousViolations(page), path).toEqual([]);
    }
  });

  test("the inbox works from the keyboard alone, with a visible focus ring on every stop", async ({ page }) => {
    await signIn(page, demo.agent);
    await page.goto("/inbox");
    await expect(page.getByTestId("conversation-row").first()).toBeVisible();

    // The skip link is the first stop and jumps past the navigation.
    await page.keyboard.press("Tab");
    await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();

    // Every focus stop in the first stretch of the page shows a focus indicator (outline or ring).
    const unmarked: string[] = [];
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press("Tab");
      const info = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const s = getComputedStyle(el);
        const outlined = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
        const ringed = s.boxShadow !== "none" && s.boxShadow !== "";
        return { shown: outlined || ringed, what: `${el.tagName.toLowerCase()} ${el.getAttribute("aria-label") ?? el.textContent?.trim().slice(0, 30) ?? ""}` };
      });
      if (info && !info.shown) unmarked.push(info.what);
    }
    expect(unmarked).toEqual([]);

    // j opens the next conversation, r puts the cursor in the reply box, Escape leaves it.
    await page.locator("body").click({ position: { x: 1, y: 1 } });
    await page.keyboard.press("j");
    await expect(page.getByTestId("conversation-title")).toBeVisible();
    await page.keyboard.press("r");
    await expect(page.getByRole("region", { name: "Reply" }).getByRole("textbox")).toBeFocused();
  });
});
