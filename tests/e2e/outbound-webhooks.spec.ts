import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { expect, test, type Page } from "@playwright/test";
import { demo, openSettings, signIn } from "./support/pages";

/** A receiver on 127.0.0.1 (the e2e server allows loopback endpoints): answers 200 and keeps what it got. */
const PORT = 3324;
type Received = { headers: IncomingHttpHeaders; body: string };
const received: Received[] = [];
let server: Server;

test.beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      // /failing/... answers 500: the endpoint that gets switched off.
      if (req.url?.startsWith("/failing/")) return void res.writeHead(500).end("receiver is down");
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "content-type": "text/plain" }).end("received by the e2e receiver");
    });
  });
  await new Promise<void>((resolve) => server.listen(PORT, "127.0.0.1", resolve));
});

test.afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** Opens the Webhooks page and adds an endpoint (the form is open by itself while there is none). */
async function addEndpoint(page: Page, url: string, description = "") {
  await openSettings(page, "Webhooks");
  await expect(page.getByRole("heading", { name: "Webhooks" })).toBeVisible();
  const add = page.getByRole("button", { name: "Add endpoint" });
  const form = page.getByRole("form", { name: "Add endpoint" });
  await expect(add.or(form)).toBeVisible();
  if (await add.isVisible()) await add.click();
  await form.getByLabel("Endpoint URL").fill(url);
  if (description) await form.getByLabel("Description").fill(description);
  await form.getByRole("button", { name: "Save endpoint" }).click();
}

test("an admin adds a webhook endpoint, sends a test ping, sees it in the delivery log and replays it", async ({ page }) => {
  const url = `http://127.0.0.1:${PORT}/hooks/${Date.now()}`;
  await signIn(page, demo.admin);
  await addEndpoint(page, url, "E2E receiver");

  const detail = page.getByTestId("endpoint-detail");
  await expect(detail).toContainText(url);
  await detail.getByRole("button", { name: "Show secret" }).click();
  await expect(detail.getByTestId("endpoint-secret")).toHaveText(/^whsec_[A-Za-z0-9+/=]{44}$/);

  await detail.getByRole("button", { name: "Send test ping" }).click();
  const rows = detail.getByTestId("delivery-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first().getByTestId("delivery-status")).toHaveText("succeeded");
  await expect(rows.first()).toContainText("webhook.test");
  await expect(rows.first()).toContainText("Attempt 1: 200");
  await expect(rows.first()).toContainText("received by the e2e receiver");
  expect(received).toHaveLength(1);
  expect(JSON.parse(received[0]!.body)).toMatchObject({ type: "webhook.test" });
  expect(received[0]!.headers["webhook-signature"]).toMatch(/^v1,/);

  await rows.first().getByRole("button", { name: "Replay" }).click();
  await expect(rows).toHaveCount(2);
  await expect(rows.first()).toContainText("replay");
  await expect(rows.first().getByTestId("delivery-status")).toHaveText("succeeded");
  expect(received).toHaveLength(2);
  // The replay is the same event: same webhook-id and body, signed again.
  expect(received[1]!.headers["webhook-id"]).toBe(received[0]!.headers["webhook-id"]);
  expect(received[1]!.body).toBe(received[0]!.body);
});

test("an endpoint that keeps failing is switched off with the reason shown, and the admin re-enables it", async ({ page }) => {
  const url = `http://127.0.0.1:${PORT}/failing/${Date.now()}`;
  await signIn(page, demo.admin);
  await addEndpoint(page, url);
  const detail = page.getByTestId("endpoint-detail");
  await expect(detail).toContainText(url);

  // Ten failed attempts in a row switch it off: one test ping each (their retries count too).
  const ping = detail.getByRole("button", { name: "Send test ping" });
  const banner = page.getByRole("alert").filter({ hasText: "This endpoint is disabled" });
  for (let i = 1; i <= 10 && !(await banner.isVisible()); i++) {
    await ping.click();
    // The page refreshes the endpoint as it polls: the switch-off can come from a retry in between.
    // Either may show, or both at once (the switch-off came with this ping's row).
    await expect(detail.getByTestId("delivery-row").first().getByText("Attempt 1: 500").or(banner).first()).toBeVisible();
  }
  await expect(banner).toContainText(/Disabled automatically after 10 failed attempts in a row; the last: HTTP 500/);
  await expect(ping).toBeDisabled();

  await banner.getByRole("button", { name: "Re-enable" }).click();
  await expect(banner).toHaveCount(0);
  await expect(detail.getByTestId("consecutive-failures")).toHaveText("0");
  await expect(ping).toBeEnabled();
});
