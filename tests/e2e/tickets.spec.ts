import { expect, test } from "@playwright/test";
import { CustomerPhone } from "./support/customer-phone";
import { demo, signIn } from "./support/pages";

test.describe("tickets", () => {
  test("a supervisor opens a ticket from a conversation, works it on its page, and resolves it with a resolution", async ({ page, browser }) => {
    const phone = `1556${String(Date.now()).slice(-7)}`;
    const name = `Ticket Customer ${phone.slice(-4)}`;
    const customer = new CustomerPhone(page);
    await customer.open(phone, name);
    await customer.say("I was charged twice for order 2291");

    const context = await browser.newContext();
    const agent = await context.newPage();
    await signIn(agent, demo.supervisor);
    await agent.goto("/inbox");
    await agent.getByTestId("conversation-row").filter({ hasText: name }).click();

    // From the conversation's contact panel.
    const panel = agent.getByRole("complementary", { name: "Contact" }).getByRole("region", { name: "Tickets" });
    await expect(panel).toContainText("None for this conversation.");
    await panel.getByRole("button", { name: "New ticket" }).click();
    const form = panel.getByRole("form", { name: "New ticket" });
    await form.getByRole("button", { name: "Open ticket" }).click();
    // The browser refuses an empty subject before anything is sent.
    await expect(form.getByLabel("Subject")).toBeFocused();
    await form.getByLabel("Subject").fill("Refund the double charge");
    await form.getByLabel("Description").fill("Order 2291 charged twice on the same card.");
    await form.getByLabel("Priority").selectOption("high");
    await form.getByRole("button", { name: "Open ticket" }).click();
    await expect(panel.getByRole("status")).toContainText(/Opened TICKET-\d{4}-\d{6}/);
    await expect(panel.getByRole("link", { name: /Refund the double charge/ })).toBeVisible();

    // Its page: linked back to the conversation and the contact.
    await panel.getByRole("link", { name: /Refund the double charge/ }).click();
    await expect(agent.getByRole("heading", { name: /Refund the double charge/ })).toBeVisible();
    const number = (await agent.getByTestId("ticket-number").textContent())!.trim();
    await expect(agent.getByTestId("ticket-status")).toHaveText("Open");
    await expect(agent.getByRole("link", { name: "Open the conversation" })).toBeVisible();
    await expect(agent.getByRole("link", { name })).toBeVisible();

    const details = agent.getByRole("region", { name: "Ticket details" });
    await details.getByLabel("Assignee").selectOption({ label: "Sam Supervisor" });
    await expect(details.getByRole("status")).toHaveText("Assignee saved");
    await agent.getByRole("textbox", { name: "Internal note" }).fill("Bank says the second charge is pending, not settled");
    await agent.getByRole("button", { name: "Add note" }).click();
    await expect(agent.getByRole("list", { name: "Notes" })).toContainText("Bank says the second charge is pending");

    // Resolving asks how first.
    await details.getByLabel("Status").selectOption("resolved");
    const resolution = details.getByRole("form", { name: "Resolution" });
    await resolution.getByLabel("Resolution summary").fill("Voided the pending second charge");
    await resolution.getByRole("button", { name: "Resolved" }).click();
    await expect(agent.getByTestId("ticket-status")).toHaveText("Resolved");
    await expect(details).toContainText("Voided the pending second charge");
    await expect(agent.getByRole("list", { name: "Ticket history" })).toContainText("status changed");

    // The list: out of the open view, in "Resolved and closed", and found by its number.
    await agent.getByRole("link", { name: "← Tickets" }).click();
    await expect(agent.getByTestId("tickets-table").getByText(number)).toHaveCount(0);
    await agent.getByRole("link", { name: "Resolved and closed" }).click();
    await expect(agent.getByTestId("tickets-table")).toContainText(number);
    await agent.getByLabel("Ticket number").fill(number.toLowerCase());
    await agent.getByRole("button", { name: "Apply" }).click();
    await expect(agent.getByTestId("tickets-table").getByRole("row")).toHaveCount(2);
    await context.close();
  });
});
