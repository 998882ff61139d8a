import { chromium } from "@playwright/test";
(async () => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
  const base = process.env.BASE ?? "http://127.0.0.1:3000";
  for (const [name, viewport] of [["contacts", { width: 1280, height: 800 }], ["contacts-phone", { width: 390, height: 844 }]] as const) {
    const page = await browser.newPage({ viewport });
    await page.goto(`${base}/sign-in`);
    await page.getByLabel("Email").fill("supervisor@example.com");
    await page.getByLabel("Password").fill("demo-password-1");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    await page.goto(`${base}/contacts`);
    await page.getByTestId("contact-row").first().waitFor();
    await page.getByTestId("contacts-count").filter({ hasText: "contact" }).waitFor();
    await page.screenshot({ path: `docs/${name}.png`, fullPage: false });
    if (name === "contacts") {
      await page.getByRole("button", { name: "Filter" }).click();
      await page.getByRole("button", { name: "+ Add condition" }).click();
      await page.getByLabel("Condition 1 field").selectOption({ label: "Consent" });
      await page.screenshot({ path: "docs/contacts-filter.png" });
    }
    await page.close();
  }
  await browser.close();
})();
