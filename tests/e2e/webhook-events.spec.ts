import { createHmac } from "node:crypto";
import { expect, test } from "@playwright/test";
import { demo, signIn, openSettings } from "./support/pages";

// The e2e server's app secret (scripts/lib/dev-simulator.ts sets it when the environment does not).
const APP_SECRET = process.env.WHATSAPP_APP_SECRET || "dev-simulator-app-secret";
// The demo number and its WhatsApp Business Account (scripts/seed/demo-data.ts, scripts/lib/dev-simulator.ts).
const DEMO_PHONE_NUMBER_ID = "106540352242922";
const DEMO_WABA_ID = "102290129340398";

test.describe("webhook events admin", () => {
  test("an admin sees their organization's unprocessed envelope highlighted, reads its raw body and replays it; one for an unknown number is shown to nobody", async ({ page, request }) => {
    const wamid = `wamid.E2E${Date.now()}`;
    const lost = `wamid.E2ELOST${Date.now()}`;
    const post = (phoneNumberId: string, message: Record<string, unknown>) => {
      const body = JSON.stringify({
        object: "whatsapp_business_account",
        entry: [{ id: DEMO_WABA_ID, changes: [{ field: "messages", value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550100", phone_number_id: phoneNumberId }, contacts: [{ profile: { name: "Lost" }, wa_id: "16505550999" }], messages: [message] } }] }],
      });
      return request.post("/api/webhooks/whatsapp", {
        data: body,
        headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${createHmac("sha256", APP_SECRET).update(body).digest("hex")}` },
      });
    };
    // The demo number's envelope with a message that names no sender: unprocessed, the demo organization's.
    expect((await post(DEMO_PHONE_NUMBER_ID, { id: wamid, timestamp: "1750000000", type: "text", text: { body: "hello?" } })).status()).toBe(200);
    // A number no organization registered: kept for the server log only.
    expect((await post("999000999", { from: "16505550999", id: lost, timestamp: "1750000000", type: "text", text: { body: "anyone?" } })).status()).toBe(200);

    await signIn(page, demo.admin);
    await openSettings(page, "Webhook events");
    await expect(page.getByRole("heading", { name: "Webhook events" })).toBeVisible();
    await page.getByTestId("outcome-filter-unprocessed").click();
    const item = page.getByRole("listitem").filter({ hasText: wamid });
    await expect(item).toContainText("message has neither from nor from_user_id");
    await item.getByText(/Raw body/).click();
    await expect(item).toContainText(wamid);
    await item.getByRole("button", { name: "Replay" }).click();
    await expect(item.getByRole("status")).toHaveText("Replayed: unprocessed");
    await expect(page.getByRole("listitem").filter({ hasText: lost })).toHaveCount(0);
    await expect(page.getByText("unknown phone_number_id 999000999")).toHaveCount(0);
  });

  test("a quality update from Meta shows on the WhatsApp numbers page", async ({ page, request }) => {
    // Meta's own example (tests/fixtures/whatsapp/phone_number_quality_update_flagged_legacy.json), sent for the demo WABA.
    const body = JSON.stringify({
      object: "whatsapp_business_account",
      entry: [{ id: DEMO_WABA_ID, time: Math.floor(Date.now() / 1000), changes: [{ field: "phone_number_quality_update", value: { display_phone_number: "15550100", event: "FLAGGED", current_limit: "TIER_10K" } }] }],
    });
    const res = await request.post("/api/webhooks/whatsapp", {
      data: body,
      headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${createHmac("sha256", APP_SECRET).update(body).digest("hex")}` },
    });
    expect(res.status()).toBe(200);

    await signIn(page, demo.admin);
    await openSettings(page, "WhatsApp numbers");
    const number = page.getByTestId("whatsapp-number").first();
    await expect(number).toContainText("RED");
    await expect(number).toContainText("TIER_10K");
    await expect(number.getByRole("listitem").filter({ hasText: "phone_number_quality_update" })).toContainText("FLAGGED");
  });

  test("only admins see the pages", async ({ page }) => {
    await signIn(page, demo.supervisor);
    await expect(page.getByRole("link", { name: "Webhook events" })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "WhatsApp numbers" })).toHaveCount(0);
    expect((await page.goto("/settings/webhook-events"))?.status()).toBe(403);
    expect((await page.goto("/settings/whatsapp"))?.status()).toBe(403);
  });
});
