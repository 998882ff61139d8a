/**
 * npm run bench:triggers — issue 13's trigger evaluation: 1,000 active triggers (keywords, regular
 * expressions, AI intents, lifecycle events, inactivity; half with AND/OR conditions over tags,
 * custom fields, lead score and saved segments) checked against each of 5,000 inbound messages, as
 * the `automation-event` job does after its one read of the active triggers. Pure in memory: the
 * conditions are compiled once per minute by the segment compiler and tested with mingo.
 * Floor: p95 evaluation time per message < 20 ms.
 */
import { ObjectId } from "mongodb";
import { factsDoc } from "@/lib/automation/conditions";
import { compileTrigger, matchTriggers } from "@/lib/automation/evaluate";
import type { AutomationEvent, TriggerDoc, TriggerWhen } from "@/lib/schemas/automation";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { SegmentGroup } from "@/lib/schemas/segment";

const TRIGGERS = Number(process.env.BENCH_TRIGGERS ?? 1000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5000);
const FLOOR_P95_MS = 20;
const words = ["price", "precio", "refund", "delivery", "order", "discount", "cancel", "invoice", "appointment", "warranty", "catalog", "shipping"];
const texts = ["Hi, what is the price of the blue one?", "Quiero saber el precio", "Where is my order #4411?", "I want a refund", "thanks!", "Can I book an appointment tomorrow?", "ok", "Do you ship to Lisbon?"];

function when(i: number): TriggerWhen {
  switch (i % 5) {
    case 0:
    case 1:
      return { type: "conversation_pattern", keywords: [words[i % words.length]!, `${words[(i + 3) % words.length]} ${i}`], regex: null, intent: null, sentiment: null };
    case 2:
      return { type: "conversation_pattern", keywords: [], regex: `order\\s*#?${i % 10}\\d+`, intent: null, sentiment: null };
    case 3:
      return { type: "lifecycle", event: "journey_stage_changed", stage: "interest", threshold: null, consent: null };
    default:
      return { type: "time_based", inactivityMinutes: 60, cron: null };
  }
}

function conditions(i: number): SegmentGroup {
  if (i % 2 === 0) return { match: "all", conditions: [] };
  return {
    match: "all",
    conditions: [
      { field: "tags", op: "has_any", value: ["lead", `t${i % 20}`] },
      { match: "any", conditions: [{ field: "leadScore", op: "at_least", value: i % 100 }, { field: "customFields.plan", op: "is", value: "pro" }, { field: "consent.state", op: "is", value: "opted_in" }] },
    ],
  };
}

function main(): boolean {
  const now = new Date();
  const orgId = new ObjectId();
  const triggers: TriggerDoc[] = Array.from({ length: TRIGGERS }, (_, i) => ({
    _id: new ObjectId(), orgId, name: `T${i}`, description: "", type: when(i).type, when: when(i), conditions: conditions(i),
    steps: [{ kind: "add_tags", tags: ["x"] }], priority: i % 10, active: true, maxRunsPerContactPerDay: 3, version: 1,
    executionCount: 0, successCount: 0, failureCount: 0, lastRunAt: null, createdBy: null, createdAt: now, updatedAt: now,
  }));
  const compileStart = performance.now();
  const compiled = triggers.map((t) => compileTrigger(t, new Map(), now));
  const compileMs = performance.now() - compileStart;
  const contact = {
    _id: new ObjectId(), orgId, identityKey: "+5511999990000", phone: "+5511999990000", waId: "5511999990000", bsuid: null, username: null, name: "Ana", profileName: null,
    email: null, company: null, tags: ["lead", "t7"], customFields: { plan: "pro" }, consent: { state: "opted_in", marketing: true, changedAt: null, source: null },
    source: { kind: "whatsapp", referral: null, at: now }, lastInboundAt: now, leadScore: 55, searchTokens: [], createdAt: now, updatedAt: now,
  } as unknown as ContactDoc;
  const times: number[] = [];
  let matched = 0;
  for (let m = 0; m < MESSAGES; m++) {
    const event: AutomationEvent = { kind: "message", contactId: contact._id.toHexString(), conversationId: new ObjectId().toHexString(), messageId: new ObjectId().toHexString(), text: texts[m % texts.length]!, at: now.toISOString() };
    const start = performance.now();
    const facts = factsDoc(contact, { conversation: { status: "open", priority: "normal" }, message: { text: event.kind === "message" ? event.text : null }, ai: null, businessHours: true });
    matched += matchTriggers(compiled, event, facts, null).length;
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))]!;
  const p95 = pct(95);
  console.log(`[bench] ${TRIGGERS} active triggers compiled in ${compileMs.toFixed(0)} ms (once a minute per instance)`);
  console.log(`[bench] ${MESSAGES} messages: p50 ${pct(50).toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms per message; ${(matched / MESSAGES).toFixed(1)} triggers matched per message`);
  const ok = p95 < FLOOR_P95_MS;
  console.log(`[bench] floor p95 < ${FLOOR_P95_MS} ms: ${ok ? "PASS" : "FAIL"}`);
  return ok;
}

process.exit(main() ? 0 : 1);
