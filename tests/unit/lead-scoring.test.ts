import { describe, expect, it } from "vitest";
import { CLICKS_FULL, computeLeadScore, decay, explain, FREQUENCY_FULL, lookbackDays, REPLIES_FULL, WORDS_INTENT_STRENGTH, type ScoringInputs, type ScoringMessage } from "@/lib/scoring/compute";
import { defaultLeadScoring, leadScoringConfig, type LeadScoringConfig } from "@/lib/schemas/lead-score";

const NOW = new Date("2026-12-03T12:00:00Z");
const DAY = 24 * 3600_000;
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const empty: ScoringInputs = { contact: { email: null, company: null, tags: [], lastInboundAt: null }, messages: [], clicks: [], analyses: [] };
const msg = (daysAgo: number, inbound: boolean, over: Partial<ScoringMessage> = {}): ScoringMessage => ({ conversationId: "c1", inbound, sentAt: ago(daysAgo), status: inbound ? null : "read", text: inbound ? "ok" : "hello", ...over });
const factor = (r: ReturnType<typeof computeLeadScore>, key: string) => r.factors.find((f) => f.key === key)!;
const config = (over: Partial<LeadScoringConfig>): LeadScoringConfig => ({ ...defaultLeadScoring, ...over });

describe("lead score calculation", () => {
  it("scores a contact with no events and no fields 0, with every factor present and an explanation that adds up", () => {
    const r = computeLeadScore(empty, defaultLeadScoring, NOW);
    expect(r.score).toBe(0);
    expect(r.factors.map((f) => [f.key, f.points])).toEqual([["engagement", 0], ["recency", 0], ["frequency", 0], ["intent", 0], ["fit", 0]]);
    expect(r.explanation).toBe("0 = engagement 0 + recency 0 + frequency 0 + buying intent 0 + fit 0");
  });

  it("gives each factor its full weight for a contact active today, and the explanation's terms sum to the score", () => {
    const messages: ScoringMessage[] = [];
    // One exchange per day for FREQUENCY_FULL * 2 days: replies, reads and active days saturate.
    for (let d = 0; d < FREQUENCY_FULL * 2; d++) messages.push(msg(d + 0.02, false), msg(d, true, { text: d === 0 ? "How much is the premium plan?" : "thanks" }));
    const r = computeLeadScore(
      {
        contact: { email: "a@b.co", company: "Acme", tags: [], lastInboundAt: NOW },
        messages,
        clicks: Array.from({ length: CLICKS_FULL * 2 }, () => ({ at: NOW, label: "Spring sale" })),
        analyses: [{ conversationId: "c1", intents: ["pricing_question"], summary: "Asked for the price", analyzedAt: NOW }],
      },
      defaultLeadScoring,
      NOW,
    );
    expect(factor(r, "recency").points).toBe(20);
    expect(factor(r, "intent").points).toBe(20);
    expect(factor(r, "fit").points).toBe(10);
    expect(factor(r, "engagement").points).toBe(35);
    expect(factor(r, "frequency").points).toBeGreaterThanOrEqual(12);
    const sum = r.factors.reduce((s, f) => s + f.points, 0);
    expect(r.score).toBe(sum);
    expect(r.explanation).toBe(`${sum} = engagement 35 + recency 20 + frequency ${factor(r, "frequency").points} + buying intent 20 + fit 10`);
  });

  it("names the events behind each factor, quoting the customer's buying words next to the AI's label", () => {
    const r = computeLeadScore(
      {
        contact: { email: "a@b.co", company: "Acme", tags: ["vip"], lastInboundAt: ago(3) },
        messages: [msg(4, false), msg(3, true, { text: "Cuánto cuesta el envío a Madrid?" }), msg(10, false, { status: "delivered" })],
        clicks: [{ at: ago(2), label: "campaign “Black Friday”" }],
        analyses: [{ conversationId: "c1", intents: ["pricing_question", "shipping_inquiry"], summary: "Asked about shipping costs", analyzedAt: ago(3) }],
      },
      config({ fit: { email: 5, company: 5, tags: [{ tag: "vip", points: 10 }] } }),
      NOW,
    );
    expect(factor(r, "engagement").evidence.map((e) => e.text)).toEqual([
      "1 reply to our messages, the latest on 2026-11-30",
      "Read 1 of 2 messages delivered (57% by recency)",
      "1 link click, the latest in campaign “Black Friday” on 2026-12-01",
    ]);
    expect(factor(r, "recency").evidence[0]!.text).toBe("Last message from them on 2026-11-30 (3 days ago)");
    expect(factor(r, "intent").evidence[0]!.text).toBe("AI detected pricing_question: “Cuánto cuesta el envío a Madrid?”");
    expect(factor(r, "intent").evidence[1]!.text).toBe("Said “Cuánto cuesta el envío a Madrid?” (“Cuánto cuesta”)");
    expect(factor(r, "fit").evidence.map((e) => [e.text, e.points])).toEqual([["Email address known", 5], ["Company known (Acme)", 5], ["Tagged “vip”", 10]]);
    expect(factor(r, "fit").max).toBe(20);
  });

  it("counts a customer message as a reply only when it follows one of ours in the same conversation", () => {
    const r = computeLeadScore({ ...empty, messages: [msg(0.5, true), msg(0.4, true), msg(0.3, false, { conversationId: "c2" }), msg(0.2, true), msg(0.1, true, { conversationId: "c2" })] }, defaultLeadScoring, NOW);
    expect(factor(r, "engagement").evidence[0]!.text).toMatch(/^1 reply/);
    expect(factor(r, "engagement").evidence[0]!.points).toBeCloseTo((15 * decay(ago(0.1), NOW, 14)) / REPLIES_FULL, 1);
  });

  it("reads buying intent from the words alone at a lower strength than the AI's", () => {
    const r = computeLeadScore({ ...empty, messages: [msg(0, true, { text: "I want to buy two" })] }, defaultLeadScoring, NOW);
    expect(factor(r, "intent").points).toBe(Math.round(20 * WORDS_INTENT_STRENGTH));
    const support = computeLeadScore({ ...empty, analyses: [{ conversationId: "c1", intents: ["support_issue"], summary: "x", analyzedAt: NOW }] }, defaultLeadScoring, NOW);
    expect(factor(support, "intent").points).toBe(0);
  });
});

describe("lead score decay", () => {
  it("halves an event's weight every half-life", () => {
    expect(decay(NOW, NOW, 14)).toBe(1);
    expect(decay(ago(14), NOW, 14)).toBeCloseTo(0.5, 10);
    expect(decay(ago(28), NOW, 14)).toBeCloseTo(0.25, 10);
    expect(decay(new Date(NOW.getTime() + DAY), NOW, 14)).toBe(1);
  });

  it("halves recency and intent points one half-life later, and a shorter half-life forgets faster", () => {
    const inputs: ScoringInputs = { ...empty, contact: { ...empty.contact, lastInboundAt: ago(14) }, analyses: [{ conversationId: "c1", intents: ["purchase"], summary: "Wants to buy", analyzedAt: ago(14) }] };
    const r = computeLeadScore(inputs, defaultLeadScoring, NOW);
    expect(factor(r, "recency").points).toBe(10);
    expect(factor(r, "intent").points).toBe(10);
    const fast = computeLeadScore(inputs, config({ halfLifeDays: 7 }), NOW);
    expect(factor(fast, "recency").points).toBe(5);
    expect(lookbackDays(config({ halfLifeDays: 7 }))).toBe(42);
    expect(lookbackDays(config({ halfLifeDays: 180 }))).toBe(365);
  });
});

describe("lead score clamping", () => {
  it("caps the score at 100 and says so when the weights add up to more", () => {
    const heavy = config({ recency: 100, intent: 100 });
    const r = computeLeadScore({ ...empty, contact: { ...empty.contact, lastInboundAt: NOW }, analyses: [{ conversationId: "c1", intents: ["purchase"], summary: "Buy", analyzedAt: NOW }] }, heavy, NOW);
    expect(r.score).toBe(100);
    expect(r.explanation).toBe("100 = engagement 0 + recency 100 + frequency 0 + buying intent 100 + fit 0 (200, capped at 100)");
  });

  it("floors the score at 0 when a negative tag outweighs everything, writing the minus", () => {
    const r = computeLeadScore({ ...empty, contact: { ...empty.contact, tags: ["churned"], lastInboundAt: NOW } }, config({ fit: { email: 5, company: 5, tags: [{ tag: "churned", points: -50 }] } }), NOW);
    expect(factor(r, "fit").points).toBe(-50);
    expect(r.score).toBe(0);
    expect(r.explanation).toBe("0 = engagement 0 + recency 20 + frequency 0 + buying intent 0 − fit 50 (-30, floored at 0)");
  });

  it("keeps the explanation format for hand-built factors", () => {
    expect(explain(82, 82, [{ key: "engagement", points: 30 }, { key: "recency", points: 20 }, { key: "fit", points: 32 }])).toBe("82 = engagement 30 + recency 20 + fit 32");
  });
});

describe("lead scoring configuration", () => {
  it("accepts the defaults and refuses out-of-range weights, half-lives and duplicate tag rules with the reason", () => {
    expect(leadScoringConfig.parse(defaultLeadScoring)).toEqual(defaultLeadScoring);
    const issue = (over: unknown) => leadScoringConfig.safeParse({ ...defaultLeadScoring, ...(over as object) }).error?.issues[0];
    expect(issue({ halfLifeDays: 0 })).toMatchObject({ path: ["halfLifeDays"], message: "must be a whole number of days from 1 to 180" });
    expect(issue({ recency: 101 })).toMatchObject({ path: ["recency"], message: "must be a whole number from 0 to 100" });
    expect(issue({ engagement: { replies: 1.5, readRate: 1, clicks: 1 } })).toMatchObject({ path: ["engagement", "replies"] });
    expect(issue({ fit: { email: 1, company: 1, tags: [{ tag: "vip", points: 1 }, { tag: "VIP", points: 2 }] } })).toMatchObject({ message: "each tag has one rule" });
    expect(issue({ extra: 1 })).toMatchObject({ code: "unrecognized_keys" });
  });
});
