import { expect, test, type Page } from "@playwright/test";
import { CustomerPhone } from "./support/customer-phone";
import { demo, signIn } from "./support/pages";

// Run-unique names and numbers: a rerun on the same server (a retry) never meets its own earlier data.
const RUN = `Spring${Date.now().toString(36)}`;
const base = 5_000 + (Date.now() % 4_000);
// São Paulo mobiles: Meta does not deliver marketing templates to US numbers, and the plan leaves those out.
const phones = Array.from({ length: 6 }, (_, i) => `55119870${String(base + i).padStart(5, "0")}`);
const TEST_PHONE = `55119871${String(base).padStart(5, "0")}`;

/** The number's throughput as an admin sets it on Settings → WhatsApp numbers. */
async function setThroughput(page: Page, mps: number) {
  await page.goto("/settings/whatsapp");
  const form = page.getByRole("form", { name: "Campaign sending" }).first();
  await form.getByLabel("Campaign throughput (msg/s)").fill(String(mps));
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByRole("status")).toHaveText("Saved");
}

test.describe("campaigns", () => {
  test("a marketer sends a template to a segment: plan, test send, live funnel with deliveries, reads and a reply, pause and resume", async ({ page, browser }) => {
    test.setTimeout(180_000);
    // One message a second on the number, so the send lasts long enough to pause it by hand.
    const admin = await browser.newPage();
    await signIn(admin, demo.admin);
    await setThroughput(admin, 1);

    try {
      await signIn(page, demo.marketer);

      // The audience: six people who opted in, imported from a CSV.
      await page.goto("/contacts/import");
      const csv = `Name,Phone,Consent\n${phones.map((p, i) => `${RUN} Buyer${i} Lee,+${p},yes`).join("\n")}\n`;
      await page.getByLabel("CSV file").setInputFiles({ name: "buyers.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
      await expect(page.getByRole("region", { name: "Column mapping" }).getByLabel("Column Consent becomes")).toHaveValue("consent");
      await page.getByLabel("Where the consent comes from").fill("checkout opt-in box");
      await page.getByRole("button", { name: "Check the file" }).click();
      await expect(page.getByTestId("dry-run").getByRole("status")).toContainText("6 rows: 6 new");
      await page.getByRole("button", { name: "Import", exact: true }).click();
      await expect(page.getByTestId("import-progress").getByRole("status")).toContainText("Imported: 6 new", { timeout: 30_000 });

      // ... saved as a segment: name contains the run's word.
      await page.goto("/contacts");
      await page.getByRole("button", { name: "Filter" }).click();
      const filter = page.getByRole("region", { name: "Filter" });
      await filter.getByRole("button", { name: "+ Add condition" }).click();
      await filter.getByLabel("Condition 1 field").selectOption({ label: "Name" });
      await filter.getByLabel("Condition 1 operator").selectOption({ label: "contains" });
      await filter.getByLabel("Condition 1 value").fill(RUN);
      await filter.getByRole("button", { name: "Apply filter" }).click();
      await expect(page.getByTestId("contacts-count")).toHaveText("6 contacts matching the filter");
      page.once("dialog", (d) => d.accept(`${RUN} buyers`));
      await filter.getByRole("button", { name: "Save as segment…" }).click();
      await expect(page.getByTestId("contacts-count")).toHaveText(`6 contacts in “${RUN} buyers”`);

      // The campaign: segment, template, variables, and the live preview.
      await page.getByRole("link", { name: "Campaigns", exact: true }).click();
      await expect(page.getByRole("heading", { name: "Campaigns" })).toBeVisible();
      await page.getByRole("link", { name: "New campaign" }).click();
      await page.getByLabel("Campaign name").fill(`${RUN} launch`);
      await page.getByLabel("Saved segment").selectOption({ label: `${RUN} buyers` });
      await page.getByRole("combobox", { name: "Template", exact: true }).selectOption({ label: "welcome_offer (en_US, marketing)" });
      const discount = page.getByRole("group", { name: "Body {{2}}" });
      await discount.getByLabel("Value from").selectOption({ label: "Same text for everyone" });
      await discount.getByRole("textbox", { name: "Text" }).fill("20%");
      const code = page.getByRole("group", { name: "Body {{3}}" });
      await code.getByLabel("Value from").selectOption({ label: "Same text for everyone" });
      await code.getByRole("textbox", { name: "Text" }).fill("SPRING20");
      await expect(page.getByLabel("Preview")).toContainText("Hi [First name], enjoy 20% off your first order with code SPRING20.");
      await page.getByRole("button", { name: "Save and see the plan" }).click();

      // The plan before anything goes out.
      await expect(page).toHaveURL(/\/campaigns\/[a-f0-9]{24}$/);
      await expect(page.getByRole("heading", { name: `${RUN} launch` })).toBeVisible();
      await expect(page.getByTestId("plan-recipients")).toHaveText("6");
      await expect(page.getByRole("list", { name: "Message previews" }).getByRole("listitem")).toHaveCount(6);
      await expect(page.getByRole("list", { name: "Message previews" })).toContainText(`Hi ${RUN}, enjoy 20% off your first order with code SPRING20.`);

      // A test message to the marketer's own phone.
      await page.getByRole("button", { name: "Send a test" }).click();
      const testDialog = page.getByRole("dialog", { name: "Send a test message" });
      await testDialog.getByLabel("To (phone with country code)").fill(`+${TEST_PHONE}`);
      await testDialog.getByRole("button", { name: "Send test" }).click();
      await expect(testDialog.getByRole("status")).toHaveText("Sent: “Hi there, enjoy 20% off your first order with code SPRING20.”");
      await testDialog.getByRole("button", { name: "Close" }).click();

      // Send, and pause while it is going out.
      await page.getByRole("button", { name: "Send now" }).click();
      await page.getByRole("dialog", { name: "Send this campaign now?" }).getByRole("button", { name: "Send now" }).click();
      await expect(page.getByTestId("campaign-status")).toHaveText("sending");
      await expect.poll(async () => Number(await page.getByTestId("funnel-sent").textContent()), { timeout: 30_000 }).toBeGreaterThan(0);
      await page.getByRole("button", { name: "Pause" }).click();
      await expect(page.getByTestId("campaign-status")).toHaveText("paused");
      await expect(page.getByRole("alert").filter({ hasText: "Paused: Paused by" })).toBeVisible();
      const progress = page.getByRole("progressbar", { name: "Sending progress" });
      await expect(progress).not.toHaveAttribute("aria-valuenow", "100");

      // Resume: the rest go out, once each; Meta's (the simulator's) statuses move the funnel.
      await page.getByRole("button", { name: "Resume" }).click();
      await expect(page.getByTestId("campaign-status")).toHaveText("completed", { timeout: 60_000 });
      await expect(page.getByTestId("funnel-sent")).toHaveText("6");
      await expect(page.getByTestId("funnel-delivered")).toHaveText("6", { timeout: 30_000 });
      await expect(page.getByTestId("funnel-read")).toHaveText("6", { timeout: 30_000 });
      await expect(page.getByTestId("funnel-failed")).toHaveText("0");

      // A customer got the message once, with their name, and answers it.
      const phone = await browser.newPage();
      const customer = new CustomerPhone(phone);
      await customer.open(phones[0]!, `${RUN} Buyer0 Lee`);
      await expect(customer.messages("business")).toHaveCount(1);
      await expect(customer.messages("business")).toContainText("enjoy 20% off your first order with code SPRING20");
      await customer.say("Yes please, I want the 20%");
      await expect(page.getByTestId("funnel-replied")).toHaveText("1", { timeout: 30_000 });

      // One click from a funnel step to a segment of those people.
      await page.getByRole("button", { name: "Retarget: read, not replied" }).click();
      await expect(page.getByRole("link", { name: "Segment of 5 ready" })).toBeVisible();
      await phone.close();
    } finally {
      await setThroughput(admin, 80);
      await admin.close();
    }
  });
});
