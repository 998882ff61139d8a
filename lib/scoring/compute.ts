import { buyingIntentPhrase, isBuyingIntentLabel } from "@/lib/ai/signals";
import { factorKeys, factorLabels, type FactorKey, type LeadScoringConfig, type ScoreEvidence, type ScoreFactor } from "@/lib/schemas/lead-score";

/**
 * The lead score as a pure function of a contact's recent events and the organization's weights:
 * no database, no clock (the caller passes `now`), so the nightly batch, the incremental job and the
 * unit tests compute the same number from the same events. docs/scoring.md explains the factors.
 */

const DAY_MS = 24 * 3600_000;
/** Decayed replies that give the full replies weight. */
export const REPLIES_FULL = 3;
/** Decayed link clicks that give the full clicks weight. */
export const CLICKS_FULL = 2;
/** Decayed active days (days the customer wrote) that give the full frequency weight. */
export const FREQUENCY_FULL = 8;
/** The customer's own buying words count less than the AI's reading of the whole conversation. */
export const WORDS_INTENT_STRENGTH = 0.7;
/** Evidence lines kept per factor (the strongest). */
const EVIDENCE_KEPT = 3;

export type ScoringMessage = {
  conversationId: string;
  /** From the customer (anything else is ours: agent, AI, campaign, system). */
  inbound: boolean;
  sentAt: Date;
  status: string | null;
  text: string | null;
};

export type ScoringInputs = {
  contact: { email: string | null; company: string | null; tags: string[]; lastInboundAt: Date | null };
  /** The contact's messages within the lookback window, in any order. */
  messages: ScoringMessage[];
  /** Tracked campaign link clicks. */
  clicks: { at: Date; label: string }[];
  /** The AI analysis of each of the contact's conversations. */
  analyses: { conversationId: string; intents: string[]; summary: string; analyzedAt: Date }[];
};

export type ScoreResult = { score: number; factors: ScoreFactor[]; explanation: string };

/** How far back events are read: after six half-lives an event counts under 2%. */
export function lookbackDays(config: LeadScoringConfig): number {
  return Math.min(365, config.halfLifeDays * 6);
}

/** 1 for an event now, 0.5 one half-life ago; a future timestamp (clock skew) counts as now. */
export function decay(at: Date, now: Date, halfLifeDays: number): number {
  const ageDays = Math.max(0, (now.getTime() - at.getTime()) / DAY_MS);
  return Math.pow(0.5, ageDays / halfLifeDays);
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const day = (d: Date) => d.toISOString().slice(0, 10);
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const quote = (text: string) => `“${text.length > 120 ? `${text.slice(0, 119)}…` : text}”`;
const strongest = (e: ScoreEvidence[]) => [...e].sort((a, b) => b.points - a.points).slice(0, EVIDENCE_KEPT);

export function computeLeadScore(inputs: ScoringInputs, config: LeadScoringConfig, now: Date): ScoreResult {
  const w = (at: Date) => decay(at, now, config.halfLifeDays);
  const byTime = [...inputs.messages].sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime());
  const inbound = byTime.filter((m) => m.inbound);

  // Engagement: replies (a customer message right after one of ours), read rate of what we delivered, link clicks.
  const lastDirection = new Map<string, boolean>();
  const replies: ScoringMessage[] = [];
  for (const m of byTime) {
    if (m.inbound && lastDirection.get(m.conversationId) === false) replies.push(m);
    lastDirection.set(m.conversationId, m.inbound);
  }
  const replyWeight = replies.reduce((s, m) => s + w(m.sentAt), 0);
  const repliesPoints = config.engagement.replies * Math.min(1, replyWeight / REPLIES_FULL);
  const delivered = byTime.filter((m) => !m.inbound && (m.status === "delivered" || m.status === "read" || m.status === "played"));
  const read = delivered.filter((m) => m.status !== "delivered");
  const deliveredWeight = delivered.reduce((s, m) => s + w(m.sentAt), 0);
  const readRate = deliveredWeight > 0 ? read.reduce((s, m) => s + w(m.sentAt), 0) / deliveredWeight : 0;
  const readPoints = config.engagement.readRate * readRate;
  const clickWeight = inputs.clicks.reduce((s, c) => s + w(c.at), 0);
  const clickPoints = config.engagement.clicks * Math.min(1, clickWeight / CLICKS_FULL);
  const engagementEvidence: ScoreEvidence[] = [];
  if (replies.length) engagementEvidence.push({ text: `${plural(replies.length, "reply", "replies")} to our messages, the latest on ${day(replies.at(-1)!.sentAt)}`, at: replies.at(-1)!.sentAt, points: round1(repliesPoints) });
  if (delivered.length) engagementEvidence.push({ text: `Read ${read.length} of ${plural(delivered.length, "message")} delivered (${Math.round(readRate * 100)}% by recency)`, at: delivered.at(-1)!.sentAt, points: round1(readPoints) });
  const clicks = [...inputs.clicks].sort((a, b) => b.at.getTime() - a.at.getTime());
  if (clicks.length) engagementEvidence.push({ text: `${plural(clicks.length, "link click")}, the latest in ${clicks[0]!.label} on ${day(clicks[0]!.at)}`, at: clicks[0]!.at, points: round1(clickPoints) });
  const engagement = repliesPoints + readPoints + clickPoints;

  // Recency: the last message from them, halving every half-life.
  const lastInbound = [inputs.contact.lastInboundAt, inbound.at(-1)?.sentAt ?? null].filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0] ?? null;
  const recency = lastInbound ? config.recency * w(lastInbound) : 0;
  const recencyEvidence: ScoreEvidence[] = lastInbound
    ? [{ text: `Last message from them on ${day(lastInbound)} (${Math.floor(Math.max(0, now.getTime() - lastInbound.getTime()) / DAY_MS)} days ago)`, at: lastInbound, points: round1(recency) }]
    : [];

  // Frequency: how many distinct days they wrote on, recent days weighing more.
  const activeDays = new Map<string, Date>();
  for (const m of inbound) activeDays.set(day(m.sentAt), m.sentAt);
  const dayWeight = [...activeDays.values()].reduce((s, d) => s + w(d), 0);
  const frequency = config.frequency * Math.min(1, dayWeight / FREQUENCY_FULL);
  const frequencyEvidence: ScoreEvidence[] = activeDays.size
    ? [{ text: `Wrote on ${plural(activeDays.size, "day")} in the last ${lookbackDays(config)} days`, at: inbound.at(-1)!.sentAt, points: round1(frequency) }]
    : [];

  // Intent: the strongest recent buying signal, the AI's reading of a conversation or the customer's own words.
  const signals: ScoreEvidence[] = [];
  const latestBuyingWords = new Map<string, ScoringMessage>();
  for (const m of inbound) {
    const phrase = m.text ? buyingIntentPhrase(m.text) : null;
    if (!phrase) continue;
    latestBuyingWords.set(m.conversationId, m);
    signals.push({ text: `Said ${quote(m.text!)} (“${phrase}”)`, at: m.sentAt, points: config.intent * WORDS_INTENT_STRENGTH * w(m.sentAt) });
  }
  for (const a of inputs.analyses) {
    const labels = a.intents.filter(isBuyingIntentLabel);
    if (!labels.length) continue;
    const words = latestBuyingWords.get(a.conversationId);
    signals.push({ text: `AI detected ${labels.join(", ")}: ${words?.text ? quote(words.text) : quote(a.summary)}`, at: a.analyzedAt, points: config.intent * w(a.analyzedAt) });
  }
  const intent = signals.reduce((m, s) => Math.max(m, s.points), 0);
  const intentEvidence = strongest(signals).map((s) => ({ ...s, points: round1(s.points) }));

  // Fit: what we know about them.
  const fitEvidence: ScoreEvidence[] = [];
  if (inputs.contact.email && config.fit.email) fitEvidence.push({ text: "Email address known", at: null, points: config.fit.email });
  if (inputs.contact.company && config.fit.company) fitEvidence.push({ text: `Company known (${inputs.contact.company})`, at: null, points: config.fit.company });
  for (const rule of config.fit.tags) {
    if (inputs.contact.tags.includes(rule.tag) && rule.points) fitEvidence.push({ text: `Tagged “${rule.tag}”`, at: null, points: rule.points });
  }
  const fit = fitEvidence.reduce((s, e) => s + e.points, 0);
  const fitMax = Math.max(0, config.fit.email) + Math.max(0, config.fit.company) + config.fit.tags.reduce((s, r) => s + Math.max(0, r.points), 0);

  const raw: Record<FactorKey, { points: number; max: number; evidence: ScoreEvidence[] }> = {
    engagement: { points: engagement, max: config.engagement.replies + config.engagement.readRate + config.engagement.clicks, evidence: engagementEvidence },
    recency: { points: recency, max: config.recency, evidence: recencyEvidence },
    frequency: { points: frequency, max: config.frequency, evidence: frequencyEvidence },
    intent: { points: intent, max: config.intent, evidence: intentEvidence },
    fit: { points: fit, max: fitMax, evidence: fitEvidence },
  };
  // Each factor is rounded once, so the explanation's terms add up to the total exactly.
  const factors: ScoreFactor[] = factorKeys.map((key) => ({ key, points: Math.round(raw[key].points), max: raw[key].max, evidence: raw[key].evidence }));
  const total = factors.reduce((s, f) => s + f.points, 0);
  const score = Math.max(0, Math.min(100, total));
  return { score, factors, explanation: explain(score, total, factors) };
}

/** "82 = engagement 30 + recency 20 + frequency 10 + buying intent 15 + fit 7"; a clamped total says so. */
export function explain(score: number, total: number, factors: Pick<ScoreFactor, "key" | "points">[]): string {
  const terms = factors.map((f, i) => `${i === 0 ? "" : f.points < 0 ? " − " : " + "}${factorLabels[f.key].toLowerCase()} ${i === 0 ? f.points : Math.abs(f.points)}`).join("");
  const clamped = total !== score ? ` (${total}, ${total > 100 ? "capped at 100" : "floored at 0"})` : "";
  return `${score} = ${terms}${clamped}`;
}
