import { expect, test, type Locator, type Page } from "@playwright/test";
import { CustomerPhone } from "./support/customer-phone";
import { demo, signIn } from "./support/pages";

type Board = { columns: { stage: string; count: number; cards: { contactId: string; name: string }[] }[] };

const column = (page: Page, stage: string) => page.getByTestId(`journey-column-${stage}`);
const card = (page: Page, stage: string, name: string) => column(page, stage).getByTestId("journey-card").filter({ hasText: name });
const count = (page: Page, stage: string) => column(page, stage).getByTestId("journey-count");
/** The board's own live region (dnd-kit adds another role=status for its drag announcements). */
const notice = (page: Page) => page.getByTestId("journey-notice");

/** Drags with real pointer moves in small steps, as a person's hand does (dnd-kit starts a drag after 6 px). */
async function drag(page: Page, handle: Locator, target: Locator) {
  const from = (await handle.boundingBox())!;
  const to = (await target.boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 10, from.y + from.height / 2, { steps: 3 });
  await page.mouse.move(to.x + to.width / 2, to.y + 60, { steps: 15 });
  await page.mouse.up();
}

test.describe("customer journey board", () => {
  test("a supervisor drags a customer to the next stage and undoes it; the Move to menu does the same without a mouse", async ({ page }) => {
    await signIn(page, demo.supervisor);
    const before = (await (await page.request.get("/api/journey")).json()) as Board;
    const awareness = before.columns.find((c) => c.stage === "awareness")!;
    const interestCount = before.columns.find((c) => c.stage === "interest")!.count;
    const customer = awareness.cards[0]!;

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Journey" }).click();
    await expect(page.getByRole("heading", { name: "Customer journey", level: 1 })).toBeVisible();
    await expect(page.getByTestId("journey-board").getByRole("heading", { level: 2 })).toHaveText(["Awareness", "Interest", "Consideration", "Purchase", "Retention"].map((s) => new RegExp(`^${s}`)));
    await expect(column(page, "awareness")).toContainText(/went on to Interest/);
    await expect(count(page, "awareness")).toHaveText(`${awareness.count} customers`);

    // Drag: the card lands in Interest at once, the notice offers Undo.
    await drag(page, card(page, "awareness", customer.name).getByRole("button", { name: `Drag ${customer.name} to another stage` }), column(page, "interest"));
    await expect(card(page, "interest", customer.name)).toBeVisible();
    await expect(card(page, "awareness", customer.name)).toHaveCount(0);
    await expect(notice(page)).toContainText(`Moved ${customer.name} to Interest.`);
    await expect(notice(page).getByRole("button", { name: "Undo" })).toBeVisible();
    await expect(count(page, "interest")).toHaveText(`${interestCount + 1} customers`);
    await page.reload();
    await expect(card(page, "interest", customer.name)).toBeVisible();

    // The contact's page says where they are and who moved them.
    await card(page, "interest", customer.name).getByRole("link", { name: customer.name }).click();
    await expect(page.getByRole("heading", { name: "Journey: Interest" })).toBeVisible();
    await expect(page.getByRole("list", { name: "Journey moves" }).getByRole("listitem").first()).toContainText("Moved to Interest from Awareness");
    await expect(page.getByRole("list", { name: "Journey moves" }).getByRole("listitem").first()).toContainText("Sam Supervisor");
    await page.goBack();

    // Keyboard and phone path: the card's Move to menu, then Undo from the notice.
    await card(page, "interest", customer.name).getByLabel(`Move ${customer.name} to`).selectOption({ label: "Move to Consideration" });
    await expect(card(page, "consideration", customer.name)).toBeVisible();
    await notice(page).getByRole("button", { name: "Undo" }).click();
    await expect(notice(page)).toHaveText(`${customer.name} is back in Interest.`);
    await expect(card(page, "interest", customer.name)).toBeVisible();
    await expect(card(page, "consideration", customer.name)).toHaveCount(0);

    // Back to where the demo data had them, through the same menu.
    await card(page, "interest", customer.name).getByLabel(`Move ${customer.name} to`).selectOption({ label: "Move to Awareness" });
    await expect(card(page, "awareness", customer.name)).toBeVisible();
    await expect(count(page, "interest")).toHaveText(`${interestCount} customers`);
  });

  test("a resolved conversation about prices becomes an AI suggestion on the board, and applying it moves the customer", async ({ page, browser }) => {
    // The customer asks about prices on their phone (the simulator page).
    const phone = `1556${String(Date.now()).slice(-7)}`;
    const name = `Journey Lead ${phone.slice(-4)}`;
    const customer = new CustomerPhone(page);
    await customer.open(phone, name);
    await customer.say("How much is the premium plan per month?");

    const context = await browser.newContext();
    const supervisor = await context.newPage();
    await signIn(supervisor, demo.supervisor);
    await supervisor.goto("/inbox");
    const row = supervisor.getByTestId("conversation-row").filter({ hasText: name });
    await row.click();
    // Resolving it hands the conversation to the analysis agent in the background.
    await supervisor.getByRole("button", { name: "Resolve", exact: true }).click();
    await expect(supervisor.getByTestId("conversation-status")).toHaveText("Resolved");

    const suggestion = supervisor.getByTestId("journey-suggestion").filter({ hasText: name });
    await expect(async () => {
      await supervisor.goto("/journey");
      await expect(suggestion).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await expect(suggestion).toContainText("not on the board → Consideration (60% sure)");
    await expect(suggestion).toContainText("asking about prices or terms (“How much”)");
    await suggestion.getByRole("button", { name: `Apply: move ${name} to Consideration` }).click();
    await expect(notice(supervisor)).toContainText(`Moved ${name} to Consideration, as the AI suggested.`);
    await expect(card(supervisor, "consideration", name)).toBeVisible();
    await expect(suggestion).toHaveCount(0);
    await context.close();
  });

  test("the board filters by tag, and a viewer sees it without move controls", async ({ page, browser }) => {
    // A viewer of its own: the sign-in spec locks the demo viewer on purpose.
    const admin = await browser.newContext();
    const adminPage = await admin.newPage();
    await signIn(adminPage, demo.admin);
    const created = await adminPage.request.post("/api/users", { data: { email: `viewer-${Date.now()}@example.com`, name: "Journey Viewer", role: "viewer" } });
    expect(created.status(), await created.text()).toBe(201);
    const { user, oneTimePassword } = (await created.json()) as { user: { email: string }; oneTimePassword: string };
    await admin.close();
    await signIn(page, user.email, oneTimePassword);
    const board = (await (await page.request.get("/api/journey")).json()) as Board;
    expect(board.columns.some((c) => c.count > 0)).toBe(true);
    await page.goto("/journey");
    await expect(page.getByTestId("journey-card").first()).toBeVisible();
    await expect(page.getByRole("button", { name: /^Drag / })).toHaveCount(0);
    await expect(page.getByRole("combobox", { name: /^Move / })).toHaveCount(0);

    await page.getByLabel("Tag").fill("no-such-tag-anywhere");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(/filter=/);
    await expect(page.getByText("No customer on the board matches this filter.")).toBeVisible();
    await expect(page.getByTestId("journey-card")).toHaveCount(0);
    await page.getByRole("button", { name: "Clear" }).click();
    await expect(page.getByTestId("journey-card").first()).toBeVisible();
  });
});
