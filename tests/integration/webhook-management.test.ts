import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { rawCollection } from "@/lib/db/collections";
import { scoped } from "@/lib/db/scoped";
import { deliver, fixture, forAccount, orgWithAccount, postWebhook, type TestAccount } from "../support/whatsapp-webhook";

async function storedTemplate(account: TestAccount, metaId: string, name: string, language: string) {
  const now = new Date();
  await scoped(account.orgId)("whatsapp_templates").insertOne({
    _id: new ObjectId(), accountId: account._id, wabaId: account.wabaId, metaId, name, language, category: "UTILITY", status: "PENDING",
    qualityScore: null, rejectedReason: null, parameterFormat: "positional", components: [], key: `${account.wabaId}:${name}:${language}`,
    syncedAt: now, createdAt: now, updatedAt: now,
  });
}
const template = (account: TestAccount, name: string) => scoped(account.orgId)("whatsapp_templates").findOne({ name });
const accountDoc = (account: TestAccount) => scoped(account.orgId)("whatsapp_accounts").findOne({ _id: account._id });

describe("template webhooks keep stored templates current", () => {
  it("applies approval, rejection with Meta's reason, quality and category changes", async () => {
    const { account } = await orgWithAccount();
    await storedTemplate(account, "1689556908129832", "order_confirmation", "en-US");
    await storedTemplate(account, "1689556908129835", "abandoned_cart", "en");
    await storedTemplate(account, "806312974732579", "welcome_template", "en_US");
    await deliver("template_status_update_approved", account);
    expect(await template(account, "order_confirmation")).toMatchObject({ status: "APPROVED", category: "UTILITY", rejectedReason: null });
    await deliver("template_status_update_rejected_invalid_format", account);
    expect(await template(account, "abandoned_cart")).toMatchObject({
      status: "REJECTED",
      category: "MARKETING",
      rejectedReason: "INVALID_FORMAT: Your template has parameters placed next to each other (like {{1}}{{2}}) without text or punctuation between them.",
    });
    await deliver("template_quality_update_green_to_yellow", account);
    expect(await template(account, "welcome_template")).toMatchObject({ qualityScore: "YELLOW" });
  });

  it("changes the category only when Meta applies it, not on the advance notice", async () => {
    const { account, orgId } = await orgWithAccount();
    await storedTemplate(account, "278077987957091", "welcome_template", "en-US");
    await deliver("template_category_update_pending", account);
    expect(await template(account, "welcome_template")).toMatchObject({ category: "UTILITY" });
    const event = await rawCollection("webhook_events").findOne({ orgId }, { sort: { receivedAt: -1 } });
    expect(event).toMatchObject({ outcome: "processed", reason: "template_category_update: template welcome_template announced a category change to MARKETING" });
    await deliver("template_category_update_applied", account);
    expect(await template(account, "welcome_template")).toMatchObject({ category: "MARKETING" });
  });

  it("rebuilds the components of an edited template and keeps a template that was not synced yet", async () => {
    const { account } = await orgWithAccount();
    await deliver("template_components_update", account);
    expect(await template(account, "order_confirmation")).toMatchObject({
      metaId: "1315502779341834",
      language: "en_US",
      key: `${account.wabaId}:order_confirmation:en_US`,
      components: [
        { type: "HEADER", format: "TEXT", text: "Your order is confirmed!" },
        { type: "BODY", text: expect.stringContaining("Thank you for your order, {{1}}!") },
        { type: "FOOTER", text: "Lucky Shrub: the Succulent Specialists!" },
        { type: "BUTTONS", buttons: [{ type: "PHONE_NUMBER", text: "Phone support", phone_number: "+15550783881" }, { type: "URL", text: "Email support", url: "https://www.luckyshrub.com/support" }] },
      ],
    });
    await deliver("template_status_update_flagged_legacy", account);
    expect(await template(account, "My message template")).toMatchObject({ status: "FLAGGED", rejectedReason: null, qualityScore: null, components: [] });
  });

  it("stores a template update for an unknown WABA as unprocessed", async () => {
    await orgWithAccount();
    const body = forAccount(fixture("template_status_update_approved"), { phoneNumberId: "1", wabaId: "777000" });
    expect((await postWebhook(body)).status).toBe(200);
    const event = await rawCollection("webhook_events").findOne({ rawBody: JSON.stringify(body) });
    expect(event).toMatchObject({ outcome: "unprocessed", reason: "message_template_status_update: no WhatsApp account with WABA id 777000" });
  });
});

describe("account webhooks are recorded on the WhatsApp account", () => {
  it("records quality, limits, name, reviews, bans and security events", async () => {
    const { account } = await orgWithAccount({ displayPhoneNumber: "+1 555-078-3881" });
    await deliver("phone_number_quality_update_throughput_upgrade", account);
    expect(await accountDoc(account)).toMatchObject({ messagingLimit: "TIER_UNLIMITED", throughputMps: 1000 });
    await deliver("phone_number_quality_update_flagged_legacy", account);
    expect(await accountDoc(account)).toMatchObject({ qualityRating: "RED", messagingLimit: "TIER_10K" });
    await deliver("business_capability_update", account);
    expect(await accountDoc(account)).toMatchObject({ messagingLimit: "TIER_2K" });
    await deliver("phone_number_name_update_approved", account);
    expect(await accountDoc(account)).toMatchObject({ verifiedName: "Lucky Shrub" });
    await deliver("account_update_disabled_update_reinstate", account);
    expect(await accountDoc(account)).toMatchObject({ status: "connected" });
    for (const f of ["account_update_account_violation", "account_update_volume_tier_update", "account_review_update_approved", "security_pin_reset_request"]) await deliver(f, account);
    const events = (await accountDoc(account))!.events;
    expect(events.map((e) => e.field)).toEqual([
      "phone_number_quality_update", "phone_number_quality_update", "business_capability_update", "phone_number_name_update",
      "account_update", "account_update", "account_update", "account_review_update", "security",
    ]);
    expect(events.at(-1)).toEqual({ field: "security", at: new Date(1748811473 * 1000), value: { display_phone_number: "15550783881", event: "PIN_RESET_REQUEST", requester: "61555822107539" } });
  });

  it("keeps the account's last 100 events only", async () => {
    const { account } = await orgWithAccount({ displayPhoneNumber: "+1 555-078-3881" });
    const old = Array.from({ length: 100 }, (_, i) => ({ field: "account_update", at: new Date(1_700_000_000_000 + i), value: { n: i } }));
    await scoped(account.orgId)("whatsapp_accounts").updateOne({ _id: account._id }, { $set: { events: old } });
    await deliver("security_pin_reset_request", account);
    await deliver("webhook_value_errors_130429_rate_limit", account);
    const events = (await accountDoc(account))!.events;
    expect(events).toHaveLength(100);
    expect(events[0]!.value).toEqual({ n: 2 });
    expect(events.slice(-2).map((e) => e.field)).toEqual(["security", "messages.errors"]);
  });

  it("keeps Meta's value-level errors (e.g. 130429) on the account", async () => {
    const { account } = await orgWithAccount();
    await deliver("webhook_value_errors_130429_rate_limit", account);
    expect((await accountDoc(account))!.events).toEqual([
      expect.objectContaining({ field: "messages.errors", value: { errors: [expect.objectContaining({ code: 130429, title: "Rate limit hit" })] } }),
    ]);
  });
});

describe("user_preferences feed the consent record", () => {
  it("records a marketing stop and resume once each, with time and source", async () => {
    const { account, orgId } = await orgWithAccount();
    const db = scoped(orgId);
    const stop = structuredClone(fixture("user_preferences_marketing_resume")) as { entry: { changes: { value: { user_preferences: { value: string; timestamp: number }[] } }[] }[] };
    stop.entry[0]!.changes[0]!.value.user_preferences[0]!.value = "stop";
    stop.entry[0]!.changes[0]!.value.user_preferences[0]!.timestamp = 1731705000;
    await deliver(stop, account);
    expect((await db("contacts").findOne({ identityKey: "+16505551234" }))?.consent).toMatchObject({ marketing: false, source: "user_preferences_webhook" });
    await deliver("user_preferences_marketing_resume", account);
    await deliver("user_preferences_marketing_resume", account);
    const contact = (await db("contacts").findOne({ identityKey: "+16505551234" }))!;
    expect(contact.consent).toMatchObject({ marketing: true, changedAt: new Date(1731705721 * 1000), source: "user_preferences_webhook" });
    const events = await db("consent_events").find({ contactId: contact._id }, { sort: { at: 1 } }).toArray();
    expect(events.map((e) => [e.state, e.channel, e.source, e.detail])).toEqual([
      ["opted_out", "marketing", "user_preferences_webhook", "User requested to resume marketing messages"],
      ["opted_in", "marketing", "user_preferences_webhook", "User requested to resume marketing messages"],
    ]);
  });
});
