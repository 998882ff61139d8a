import { expect, test, type APIRequestContext } from "@playwright/test";
import { CustomerPhone } from "./support/customer-phone";
import { demo, signIn } from "./support/pages";

/** The specs share one demo organization: an automation made here is switched off when its test ends. */
async function disable(request: APIRequestContext, name: string) {
  const list = (await (await request.get("/api/automations")).json()).automations as { id: string; name: string }[];
  for (const a of list.filter((x) => x.name === name)) await request.patch(`/api/automations/${a.id}`, { data: { active: false } });
}

test.describe("automations", () => {
  test("a marketer builds “keyword price → tag lead, stage interest, reply with a template”, the customer asks the price, and the tag, stage and reply appear", async ({ page, browser }) => {
    const name = `Price enquiries ${Date.now()}`;
    await signIn(page, demo.marketer);
    try {
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Automations" }).click();
      await expect(page.getByRole("heading", { name: "Automations", level: 1 })).toBeVisible();
      await page.getByRole("link", { name: "New automation" }).click();

      await page.getByLabel("Name", { exact: true }).fill(name);
      await page.getByLabel("Keywords (any, separated by commas)").fill("price, precio");
      // A condition on the event itself, from the same builder as segments.
      await page.getByRole("button", { name: "+ Add condition" }).click();
      await page.getByLabel("Condition 1 field").selectOption({ label: "Message text" });
      await page.getByLabel("Condition 1 operator").selectOption({ label: "contains" });
      await page.getByLabel("Condition 1 value").fill("price");
      const add = async (kind: string) => {
        await page.getByLabel("Then: step to add").selectOption({ label: kind });
        await page.getByRole("button", { name: "Then: add step" }).click();
      };
      await add("Add tags");
      await page.getByLabel("Then step 1: Add tags").getByLabel("Tags, separated by commas").fill("lead");
      await add("Set journey stage");
      await page.getByLabel("Then step 2: Set journey stage").getByLabel("Journey stage").selectOption("interest");
      await add("Send a message");
      await page.getByLabel("Then step 3: Send a message").getByLabel(/^Template/).selectOption({ label: "hello_world (en_US)" });
      await page.getByLabel("Enabled", { exact: true }).check();
      // A mistake first: the save says what is wrong and keeps the form.
      await page.getByLabel("Then step 1: Add tags").getByLabel("Tags, separated by commas").fill("");
      await page.getByRole("button", { name: "Save automation" }).click();
      await expect(page.getByRole("form", { name: "Automation" }).getByRole("alert")).toContainText("steps.0.tags: add at least one tag");
      await page.getByLabel("Then step 1: Add tags").getByLabel("Tags, separated by commas").fill("lead");

      await page.getByRole("button", { name: "Dry run (last 30 days)" }).click();
      await expect(page.getByRole("status").filter({ hasText: "In the last 30 days it would have run" })).toContainText("Nothing was written or sent.");
      await page.getByRole("button", { name: "Save automation" }).click();
      await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
      await expect(page.getByText("No runs yet.")).toBeVisible();

      // The customer, on their phone, asks for the price.
      const phone = new CustomerPhone(await (await browser.newContext()).newPage());
      const number = `55119${String(Date.now()).slice(-8)}`;
      await phone.open(number, "Paula Preço");
      await phone.say("price?");
      await expect(phone.messages("business").filter({ hasText: "Welcome and congratulations!!" })).toHaveCount(1, { timeout: 20_000 });

      // The run shows up on the automation's page (it refreshes itself) with what each step did.
      const run = page.getByRole("listitem", { name: "Run for Paula Preço" });
      await expect(run).toContainText("completed", { timeout: 20_000 });
      await expect(run).toContainText("Add tags: Added #lead");
      await expect(run).toContainText("Set journey stage: Moved from off the board to interest");
      await expect(run).toContainText("Send a message: Sent the template “hello_world”");

      // The contact carries the tag and the stage.
      await run.getByRole("link", { name: "Paula Preço" }).click();
      await expect(page.getByRole("heading", { name: "Journey: Interest" })).toBeVisible();
      await expect(page.getByText("lead", { exact: true }).first()).toBeVisible();
      await phone.page.context().close();
    } finally {
      await disable(page.request, name);
    }
  });

  test("a 1-minute inactivity follow-up fires once after the customer goes quiet", async ({ page, browser }) => {
    test.setTimeout(180_000);
    const name = `Quiet follow-up ${Date.now()}`;
    await signIn(page, demo.admin);
    try {
      const created = await page.request.post("/api/automations", {
        data: { name, active: true, when: { type: "time_based", inactivityMinutes: 1, cron: null }, steps: [{ kind: "send_message", text: "Are you still there? Reply any time.", templateId: null }] },
      });
      expect(created.status()).toBe(201);
      const { automation } = await created.json();
      const phone = new CustomerPhone(await (await browser.newContext()).newPage());
      await phone.open(`55118${String(Date.now()).slice(-8)}`, "Quinn Quiet");
      await phone.say("I will think about it");
      const followUp = phone.messages("business").filter({ hasText: "Are you still there?" });
      await expect(followUp).toHaveCount(1, { timeout: 120_000 });

      await page.goto(`/automations/${automation.id}`);
      const run = page.getByRole("listitem", { name: "Run for Quinn Quiet" });
      await expect(run).toContainText("completed");
      await expect(run).toContainText("The customer went quiet");
      // Once: the silence after that message has had its follow-up; only a new message starts another clock.
      await page.reload();
      await expect(page.getByRole("listitem", { name: "Run for Quinn Quiet" })).toHaveCount(1);
      await expect(followUp).toHaveCount(1);
      await phone.page.context().close();
    } finally {
      await disable(page.request, name);
    }
  });
});
