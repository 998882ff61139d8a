import { expect, test } from "@playwright/test";
import { demo, signIn } from "./support/pages";

test.describe("browser security policy", () => {
  test("pages carry a nonce CSP that Next's own scripts satisfy, and cannot be framed", async ({ page }) => {
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to (execute|load|apply)/i.test(m.text())) violations.push(m.text());
    });
    const res = await page.goto("/sign-in");
    const headers = res!.headers();
    expect(headers["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[^']+' 'strict-dynamic'/);
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    // The page works, so its scripts ran under the policy: sign in and use the inbox.
    await signIn(page, demo.admin);
    await page.getByRole("link", { name: "Inbox" }).click();
    await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
    expect(violations).toEqual([]);
  });

  test("an API response is not sniffable and names no framework", async ({ request }) => {
    const res = await request.get("/api/health");
    expect(res.headers()["x-content-type-options"]).toBe("nosniff");
    expect(res.headers()["x-powered-by"]).toBeUndefined();
  });
});
