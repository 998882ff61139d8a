import { expect, test, type APIRequestContext } from "@playwright/test";
import { CustomerPhone } from "./support/customer-phone";
import { demo, signIn } from "./support/pages";

/**
 * The WhatsApp path end to end: the customer simulator page posts through the Graph API
 * simulator's signed webhook into the real route, the conversation lands in the database (read back
 * through the app's API), and a reply sent through the Graph API client reaches the customer's phone.
 */
type Conversation = { id: string; contact: { name: string | null } };
type Message = { id: string; type: string; text: string | null; direction: string; media: { fileId: string | null; download: string; mimeType: string | null } | null };

async function findConversation(api: APIRequestContext, name: string): Promise<Conversation> {
  let found: Conversation | undefined;
  await expect
    .poll(async () => {
      const res = await api.get(`/api/conversations?q=${encodeURIComponent(name)}`);
      const body = (await res.json()) as { conversations: Conversation[] };
      found = body.conversations.find((c) => c.contact.name === name);
      return !!found;
    })
    .toBe(true);
  return found!;
}

async function messagesOf(api: APIRequestContext, conversationId: string): Promise<Message[]> {
  const res = await api.get(`/api/conversations/${conversationId}/messages`);
  expect(res.status()).toBe(200);
  return ((await res.json()) as { messages: Message[] }).messages;
}

test.describe("customer simulator", () => {
  test("a customer's message lands in the conversation, and the agent's reply reaches the phone", async ({ page, context }) => {
    const phone = `1415${String(Date.now()).slice(-7)}`;
    const name = `E2E Customer ${phone.slice(-4)}`;
    const customer = new CustomerPhone(page);
    await customer.open(phone, name);
    await customer.say("Hi, is my order on its way?");
    await expect(customer.error()).toHaveCount(0);

    const agent = await context.newPage();
    await signIn(agent, demo.admin);
    const conversation = await findConversation(agent.request, name);
    await expect.poll(async () => (await messagesOf(agent.request, conversation.id)).map((m) => m.text)).toContain("Hi, is my order on its way?");

    const reply = await agent.request.post(`/api/conversations/${conversation.id}/messages`, {
      data: { idempotencyKey: `e2e-${Date.now()}`, content: { type: "text", text: "Yes! It ships today." } },
    });
    expect(reply.status()).toBe(201);
    await expect(customer.messages("business").filter({ hasText: "Yes! It ships today." })).toBeVisible();
  });

  test("a customer's photo is downloaded into the app and served to signed-in users", async ({ page, context }) => {
    const phone = `1628${String(Date.now()).slice(-7)}`;
    const name = `E2E Photo ${phone.slice(-4)}`;
    const customer = new CustomerPhone(page);
    await customer.open(phone, name);
    await customer.sendPhoto("Here is the damaged box");

    const agent = await context.newPage();
    await signIn(agent, demo.admin);
    const conversation = await findConversation(agent.request, name);
    let image: Message | undefined;
    await expect
      .poll(async () => {
        image = (await messagesOf(agent.request, conversation.id)).find((m) => m.type === "image");
        return image?.media?.download;
      })
      .toBe("done");
    const file = await agent.request.get(`/api/media/${image!.media!.fileId}`);
    expect(file.status()).toBe(200);
    expect(file.headers()["content-type"]).toBe("image/png");
    expect((await file.body()).subarray(1, 4).toString()).toBe("PNG");

    await agent.goto(`/api/media/${image!.media!.fileId}`);
    const size = await agent.locator("img").evaluate((img: HTMLImageElement) => img.naturalWidth);
    expect(size).toBeGreaterThan(0);
  });
});
