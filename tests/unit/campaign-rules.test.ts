import { ObjectId } from "mongodb";
import { describe, expect, it } from "vitest";
import { pacing } from "@/lib/campaigns/dispatch";
import { actionFor, backoffSeconds } from "@/lib/campaigns/meta-errors";
import { bucket, clickToken, type ContactHistory, exclusionFor, readClickToken, renderValues, unmappedSlots, variantFor } from "@/lib/campaigns/recipient-rules";
import { pickWinner } from "@/lib/campaigns/winner-job";
import { emptyCounters, type StoredVariant } from "@/lib/schemas/campaign";
import type { ContactDoc } from "@/lib/schemas/contact";
import { renderTemplateText, sendComponents, templateSlots } from "@/lib/templates/variables";

process.env.NEXTAUTH_SECRET ??= "unit-test-secret-0123456789";

const now = new Date("2026-12-03T12:00:00Z");
const hoursAgo = (h: number) => new Date(now.getTime() - h * 3600_000);
type Consent = ContactDoc["consent"];
const optedIn: Consent = { state: "opted_in", marketing: true, changedAt: null, source: "import" };

describe("exclusions, in the order they are checked", () => {
  const base: { phone: string | null; bsuid: string | null; consent: Consent } = { phone: "+5511912345678", bsuid: null, consent: optedIn };
  const none: ContactHistory = { lastSentAt: null, cappedAt: null };
  const cases: { name: string; contact?: Partial<typeof base>; category?: string; requireOptIn?: boolean; cap?: number | null; history?: typeof none; expected: string | null }[] = [
    { name: "an opted-in Brazilian number is sent to", expected: null },
    { name: "no phone and no user id", contact: { phone: null }, expected: "no_number" },
    { name: "a BSUID-only contact is sendable", contact: { phone: null, bsuid: "BR.1234567890" }, expected: null },
    { name: "opted out, even with opt-in not required", contact: { consent: { ...optedIn, state: "opted_out" } }, requireOptIn: false, expected: "opted_out" },
    { name: "consent unknown when opt-in is required", contact: { consent: { ...optedIn, state: "unknown" } }, expected: "not_opted_in" },
    { name: "consent unknown when opt-in is not required", contact: { consent: { ...optedIn, state: "unknown", marketing: false } }, requireOptIn: false, expected: null },
    { name: "stopped marketing (131050) for a marketing template", contact: { consent: { ...optedIn, marketing: false } }, expected: "marketing_stopped" },
    { name: "stopped marketing does not block a utility template", contact: { consent: { ...optedIn, marketing: false } }, category: "UTILITY", expected: null },
    { name: "a US +1 number for marketing", contact: { phone: "+14155550100" }, expected: "us_marketing" },
    { name: "a Canadian +1 number is not the US", contact: { phone: "+14165550100" }, expected: null },
    { name: "a US number for a utility template", contact: { phone: "+14155550100" }, category: "UTILITY", expected: null },
    { name: "capped by Meta 23 h ago", history: { lastSentAt: null, cappedAt: hoursAgo(23) }, expected: "recently_capped" },
    { name: "capped 25 h ago is sendable again", history: { lastSentAt: null, cappedAt: hoursAgo(25) }, expected: null },
    { name: "within the frequency cap", cap: 3, history: { lastSentAt: hoursAgo(48), cappedAt: null }, expected: "frequency_cap" },
    { name: "after the frequency cap", cap: 3, history: { lastSentAt: hoursAgo(80), cappedAt: null }, expected: null },
    { name: "no cap set", history: { lastSentAt: hoursAgo(1), cappedAt: null }, expected: null },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const contact = { ...base, ...c.contact } as Pick<ContactDoc, "phone" | "bsuid" | "consent">;
      const campaign = { exclusions: { requireOptIn: c.requireOptIn ?? true, frequencyCapDays: c.cap ?? null }, category: c.category ?? "MARKETING" };
      expect(exclusionFor(contact, campaign, c.history ?? none, now)).toBe(c.expected);
    });
  }
});

describe("variants: control, holdback and weights", () => {
  const variants = [{ key: "A" as const, weight: 70 }, { key: "B" as const, weight: 30 }] as StoredVariant[];
  it("splits a large audience close to the configured shares, and the same contact always lands in the same group", () => {
    const campaignId = new ObjectId();
    const counts: Record<string, number> = {};
    const n = 20_000;
    const ids = Array.from({ length: n }, () => new ObjectId());
    for (const id of ids) {
      const v = variantFor({ controlPercent: 10, winner: { metric: "reply_rate", afterHours: 4, holdbackPercent: 50 }, variants }, bucket(campaignId, id));
      counts[v] = (counts[v] ?? 0) + 1;
    }
    // 10% control; of the rest half held back; the tested half split 70/30.
    expect(counts.control! / n).toBeCloseTo(0.1, 1);
    expect(counts.holdback! / n).toBeCloseTo(0.45, 1);
    expect(counts.A! / n).toBeCloseTo(0.315, 1);
    expect(counts.B! / n).toBeCloseTo(0.135, 1);
    expect(bucket(campaignId, ids[0]!)).toBe(bucket(campaignId, ids[0]!));
    expect(bucket(new ObjectId(), ids[0]!)).not.toBe(bucket(campaignId, ids[0]!));
  });
  it("without a winner rule there is no holdback, and one variant takes everyone but the control", () => {
    expect(variantFor({ controlPercent: 0, winner: null, variants: [variants[0]!] }, 0.999)).toBe("A");
    expect(variantFor({ controlPercent: 20, winner: null, variants: [variants[0]!] }, 0.1)).toBe("control");
    expect(variantFor({ controlPercent: 0, winner: null, variants }, 0.69)).toBe("A");
    expect(variantFor({ controlPercent: 0, winner: null, variants }, 0.71)).toBe("B");
  });
});

const welcome = {
  parameterFormat: "positional" as const,
  components: [
    { type: "HEADER", format: "TEXT", text: "Hi {{1}}!" },
    { type: "BODY", text: "Hello {{1}}, {{2}} off with code {{3}}." },
    { type: "FOOTER", text: "Reply STOP to opt out" },
    { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Shop" }, { type: "URL", text: "Open", url: "https://app.example.com/r/{{1}}" }, { type: "COPY_CODE", example: "SAVE10" }] },
  ],
};
const contact = (name: string | null, custom: Record<string, string> = {}) => ({ name, profileName: null, phone: "+5511912345678", email: null, company: "Acme", customFields: custom }) as unknown as ContactDoc;

describe("template variables and their values", () => {
  it("finds every variable Meta reads, in order", () => {
    expect(templateSlots(welcome).map((s) => s.id)).toEqual(["header:1", "body:1", "body:2", "body:3", "button:1:1", "button:2:code"]);
    expect(templateSlots({ parameterFormat: "named", components: [{ type: "HEADER", format: "IMAGE" }, { type: "BODY", text: "Hi {{first_name}} {{first_name}}, {{date}}" }] }).map((s) => s.id)).toEqual(["header:media", "body:first_name", "body:date"]);
  });

  it("renders from contact fields with fallbacks, static text and the click token", () => {
    const variant = {
      template: { name: "w", language: "en", category: "MARKETING", ...welcome },
      variables: {
        "header:1": { source: "field" as const, field: "first_name", fallback: "friend" },
        "body:1": { source: "field" as const, field: "customFields.nickname", fallback: "there" },
        "body:2": { source: "static" as const, value: "15%" },
        "body:3": { source: "field" as const, field: "company", fallback: "" },
        "button:1:1": { source: "tracked_link" as const, url: "https://shop.example.com" },
        "button:2:code": { source: "static" as const, value: "SAVE10" },
      },
    };
    const rid = new ObjectId();
    const values = renderValues(variant, contact("Maria Silva"), rid);
    expect(values).toMatchObject({ "header:1": "Maria", "body:1": "there", "body:2": "15%", "body:3": "Acme", "button:2:code": "SAVE10" });
    expect(readClickToken(values["button:1:1"]!)?.equals(rid)).toBe(true);
    expect(renderValues(variant, contact(null, { nickname: "Mari" }), rid)).toMatchObject({ "header:1": "friend", "body:1": "Mari" });
    expect(renderTemplateText(variant.template, values)).toEqual({ header: "Hi Maria!", body: "Hello there, 15% off with code Acme.", footer: "Reply STOP to opt out" });
    expect(unmappedSlots({ ...variant, variables: { "body:1": variant.variables["body:1"] } })).toEqual(["Header {{1}}", "Body {{2}}", "Body {{3}}", "Button 2 URL {{1}}", "Button 3 coupon code"]);
  });

  it("builds Meta's send components: header, body in number order, URL and copy-code buttons", () => {
    const values = { "header:1": "Ana", "body:3": "C", "body:1": "A", "body:2": "B", "button:1:1": "tok", "button:2:code": "SAVE10" };
    expect(sendComponents(welcome, values)).toEqual([
      { type: "header", parameters: [{ type: "text", text: "Ana" }] },
      { type: "body", parameters: [{ type: "text", text: "A" }, { type: "text", text: "B" }, { type: "text", text: "C" }] },
      { type: "button", sub_type: "url", index: "1", parameters: [{ type: "text", text: "tok" }] },
      { type: "button", sub_type: "copy_code", index: "2", parameters: [{ type: "coupon_code", coupon_code: "SAVE10" }] },
    ]);
    expect(sendComponents({ parameterFormat: "named", components: [{ type: "HEADER", format: "IMAGE" }, { type: "BODY", text: "Hi {{first_name}}" }] }, { "header:media": "https://cdn.example.com/a.jpg", "body:first_name": "Ana" })).toEqual([
      { type: "header", parameters: [{ type: "image", image: { link: "https://cdn.example.com/a.jpg" } }] },
      { type: "body", parameters: [{ type: "text", text: "Ana", parameter_name: "first_name" }] },
    ]);
  });

  it("refuses a forged or altered click token", () => {
    const id = new ObjectId();
    const token = clickToken(id);
    expect(readClickToken(token)?.equals(id)).toBe(true);
    expect(readClickToken(`${new ObjectId().toHexString()}${token.slice(24)}`)).toBeNull();
    expect(readClickToken(`${token.slice(0, -1)}${token.endsWith("a") ? "b" : "a"}`)).toBeNull();
    expect(readClickToken("nonsense")).toBeNull();
  });
});

describe("Meta's error codes", () => {
  const table: [number, string, string?][] = [
    [131049, "reschedule"],
    [131050, "marketing_stop"],
    [130429, "backoff"],
    [131056, "backoff"],
    [131000, "backoff"],
    [132015, "pause"],
    [132016, "pause"],
    [132001, "pause"],
    [132000, "pause"],
    [190, "pause"],
    [131026, "final"],
    [131009, "final"],
    [100, "final"],
    [-1, "backoff", "network"],
    [-1, "pause", "not_configured"],
  ];
  for (const [code, kind, clientKind] of table) {
    it(`${code}${clientKind ? ` (${clientKind})` : ""} -> ${kind}`, () => {
      expect(actionFor(code, clientKind).kind).toBe(kind);
    });
  }
  it("131049 waits 24 h; back-off grows 4^n and is capped", () => {
    expect(actionFor(131049)).toEqual({ kind: "reschedule", afterMs: 24 * 3600_000 });
    expect([1, 2, 3, 4, 5, 6].map(backoffSeconds)).toEqual([4, 16, 64, 256, 900, 900]);
  });
});

describe("the winner and the pacing", () => {
  const variants = [{ key: "A" }, { key: "B" }] as StoredVariant[];
  const counters = (sent: number, replied: number, converted: number) => ({ ...emptyCounters(), sent, replied, converted });
  it("picks the higher reply or conversion rate, A on a tie", () => {
    expect(pickWinner({ winner: { metric: "reply_rate", afterHours: 1, holdbackPercent: 50 }, variants, byVariant: { A: counters(100, 10, 9), B: counters(50, 6, 1) } }).key).toBe("B");
    expect(pickWinner({ winner: { metric: "conversion_rate", afterHours: 1, holdbackPercent: 50 }, variants, byVariant: { A: counters(100, 10, 9), B: counters(50, 6, 1) } }).key).toBe("A");
    expect(pickWinner({ winner: { metric: "reply_rate", afterHours: 1, holdbackPercent: 50 }, variants, byVariant: { A: counters(0, 0, 0), B: counters(0, 0, 0) } }).key).toBe("A");
  });
  it("paces by batches that keep the number at its throughput", () => {
    expect(pacing(80)).toMatchObject({ batchSize: 8, startsPerSecond: 10 });
    expect(pacing(1000)).toMatchObject({ batchSize: 100, startsPerSecond: 10 });
    expect(pacing(5)).toMatchObject({ batchSize: 1, startsPerSecond: 5 });
    expect(pacing(250)).toMatchObject({ batchSize: 25, startsPerSecond: 10 });
  });
});
