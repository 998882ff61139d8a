import { ObjectId } from "mongodb";
import { isWithinBusinessHours } from "@/lib/ai/business-hours";
import { contactLabel } from "@/lib/contacts/contacts";
import { scoped } from "@/lib/db/scoped";
import type { AutomationEvent, Step, TriggerDoc, TriggerInput } from "@/lib/schemas/automation";
import type { Role } from "@/lib/schemas/common";
import { getSettings } from "@/lib/settings/settings";
import { factsDoc, segmentIdsOf } from "./conditions";
import { compileTrigger, matchTriggers } from "./evaluate";
import { allSteps } from "./steps";
import { loadSegments, parseTrigger, validateTrigger } from "./triggers";

/**
 * A trigger replayed over the last 30 days of stored events, before it is enabled: which contacts
 * it would have matched and what each step would have done, with nothing written or sent. The
 * conditions are checked against each contact as it is now (its past fields are not kept).
 */

const DAYS = 30;
/** Events read per dry run, newest first: enough to judge a trigger, bounded for a big inbox. */
const MAX_EVENTS = 2000;
const MAX_SAMPLES = 50;

type PastEvent = { event: AutomationEvent; summary: string };

export type DryRunResult = {
  days: number;
  evaluated: number;
  /** True when more events than MAX_EVENTS happened: the newest were replayed. */
  truncated: boolean;
  runs: number;
  contacts: number;
  sends: number;
  skippedByLoopProtection: number;
  samples: { contactId: string; name: string; at: string; event: string; steps: { path: string; kind: string; outcome: string }[] }[];
  note: string | null;
};

async function pastEvents(orgId: ObjectId, t: TriggerDoc, since: Date): Promise<{ events: PastEvent[]; truncated: boolean; note: string | null }> {
  const db = scoped(orgId);
  const w = t.when;
  const cap = { limit: MAX_EVENTS + 1 };
  const ids = (x: { contactId: ObjectId; conversationId?: ObjectId | null }) => ({ contactId: x.contactId.toHexString(), conversationId: x.conversationId?.toHexString() ?? null });
  let events: PastEvent[] = [];
  let note: string | null = null;
  if (w.type === "conversation_pattern" && (w.intent || w.sentiment)) {
    const rows = await db("conversation_analytics").find({ analyzedAt: { $gte: since } }, { sort: { analyzedAt: -1 }, ...cap, projection: { conversationId: 1, intents: 1, sentiment: 1, analyzedAt: 1 } }).toArray();
    const convs = await db("conversations").find({ _id: { $in: rows.map((r) => r.conversationId) } }, { projection: { contactId: 1 } }).toArray();
    const contactOf = new Map(convs.map((c) => [c._id.toHexString(), c.contactId]));
    events = rows.flatMap((r) => {
      const contactId = contactOf.get(r.conversationId.toHexString());
      if (!contactId) return [];
      return [{ event: { kind: "analysis", contactId: contactId.toHexString(), conversationId: r.conversationId.toHexString(), intents: r.intents, sentiment: r.sentiment, at: r.analyzedAt.toISOString() }, summary: `AI analysis: ${r.intents.join(", ") || "no intent"}` }];
    });
  } else if (w.type === "behavior") {
    note = "Campaign engagement and message counts are not replayed yet; the trigger fires from the next event.";
  } else if (w.type === "time_based" && w.cron) {
    note = "A schedule is not replayed: each time it comes round it runs for every contact then matching the conditions.";
  } else if (w.type === "conversation_pattern" || (w.type === "time_based" && w.inactivityMinutes)) {
    const rows = await db("messages").find({ sender: "customer", sentAt: { $gte: since } }, { sort: { sentAt: -1 }, ...cap, projection: { contactId: 1, conversationId: 1, text: 1, sentAt: 1 } }).toArray();
    if (w.type === "conversation_pattern") {
      events = rows.map((m) => ({
        event: { kind: "message", ...ids(m), conversationId: m.conversationId.toHexString(), messageId: m._id.toHexString(), text: m.text ?? null, at: m.sentAt.toISOString() },
        summary: `“${(m.text ?? "[media]").slice(0, 80)}”`,
      }));
    } else {
      // A silence: no next customer message in the conversation within the time (newest first, so the previous row is the next message).
      const nextAt = new Map<string, Date>();
      for (const m of rows) {
        const key = m.conversationId.toHexString();
        const next = nextAt.get(key);
        nextAt.set(key, m.sentAt);
        const minutes = w.type === "time_based" ? (w.inactivityMinutes ?? 0) : 0;
        const silentUntil = m.sentAt.getTime() + minutes * 60_000;
        if ((next && next.getTime() <= silentUntil) || silentUntil > Date.now()) continue;
        events.push({
          event: { kind: "inactivity", triggerId: t._id.toHexString(), contactId: m.contactId.toHexString(), conversationId: key, since: m.sentAt.toISOString(), at: new Date(silentUntil).toISOString() },
          summary: `No reply for ${minutes} min after “${(m.text ?? "[media]").slice(0, 60)}”`,
        });
      }
    }
  } else if (w.type === "lifecycle") {
    const lifecycle = (contactId: ObjectId, conversationId: ObjectId | null, at: Date, data: Record<string, string | number | null>, summary: string): PastEvent => ({
      event: { kind: "lifecycle", event: w.event, contactId: contactId.toHexString(), conversationId: conversationId?.toHexString() ?? null, data, at: at.toISOString() },
      summary,
    });
    switch (w.event) {
      case "contact_created": {
        const rows = await db("contacts").find({ createdAt: { $gte: since } }, { sort: { createdAt: -1 }, ...cap, projection: { createdAt: 1, source: 1 } }).toArray();
        events = rows.map((c) => lifecycle(c._id, null, c.createdAt, { source: c.source.kind }, `Created (${c.source.kind})`));
        break;
      }
      case "conversation_resolved": {
        const rows = await db("conversations").find({ resolvedAt: { $gte: since } }, { sort: { resolvedAt: -1 }, ...cap, projection: { contactId: 1, resolvedAt: 1 } }).toArray();
        events = rows.map((c) => lifecycle(c.contactId, c._id, c.resolvedAt!, {}, "Conversation resolved"));
        break;
      }
      case "journey_stage_changed": {
        const rows = await db("activity_logs").find({ action: "journey.stage_changed", at: { $gte: since } }, { sort: { at: -1, _id: -1 }, ...cap, projection: { entityId: 1, before: 1, after: 1, at: 1 } }).toArray();
        events = rows.flatMap((r) => {
          const to = (r.after as { stage?: string } | null)?.stage ?? null;
          const from = (r.before as { stage?: string } | null)?.stage ?? null;
          return r.entityId ? [lifecycle(r.entityId, null, r.at, { from, to }, `Stage ${from ?? "none"} → ${to ?? "none"}`)] : [];
        });
        break;
      }
      case "consent_changed": {
        const rows = await db("consent_events").find({ at: { $gte: since } }, { sort: { at: -1 }, ...cap, projection: { contactId: 1, state: 1, channel: 1, at: 1 } }).toArray();
        events = rows.map((r) => lifecycle(r.contactId, null, r.at, { state: r.state, channel: r.channel }, `Consent: ${r.state.replace("_", " ")} (${r.channel})`));
        break;
      }
      case "lead_score_crossed":
        note = "Past score crossings are not kept as events, so this trigger cannot be replayed; it fires from the next score change.";
        break;
    }
  }
  return { events: events.slice(0, MAX_EVENTS), truncated: events.length > MAX_EVENTS, note };
}

function describe(step: Step, ctx: { optedOut: boolean; windowOpen: boolean }, templateNames: Map<string, string>): string {
  switch (step.kind) {
    case "send_message":
      if (ctx.optedOut) return "Skipped: opted out";
      if (ctx.windowOpen && step.text) return `Would send “${step.text.slice(0, 60)}”`;
      if (step.templateId) return `Would send the template “${templateNames.get(step.templateId) ?? "?"}”`;
      return "Skipped: the 24-hour window would be closed";
    case "add_tags":
      return `Would add ${step.tags.map((t) => `#${t}`).join(", ")}`;
    case "remove_tags":
      return `Would remove ${step.tags.map((t) => `#${t}`).join(", ")}`;
    case "assign":
      return step.userId ? "Would assign to the chosen teammate" : "Would assign by round robin";
    case "set_priority":
      return `Would set priority ${step.priority}`;
    case "set_status":
      return `Would set status ${step.status}`;
    case "set_stage":
      return `Would move to ${step.stage}`;
    case "set_field":
      return `Would set ${step.key} to “${step.value}”`;
    case "create_ticket":
      return `Would open a ticket “${step.subject}”`;
    case "call_webhook":
      return `Would send “${step.label}” to the webhook endpoints`;
    case "run_agent":
      return "Would let the AI agent answer";
    case "wait":
      return `Would wait ${step.minutes} min`;
    case "wait_for_reply":
      return `Would wait up to ${step.minutes} min for a reply, then take a branch`;
  }
}

export async function dryRunTrigger(orgId: ObjectId, role: Role, input: TriggerInput, triggerId?: ObjectId): Promise<DryRunResult> {
  const def = parseTrigger(input);
  await validateTrigger(orgId, role, def);
  const now = new Date();
  const trigger: TriggerDoc = {
    ...def,
    _id: triggerId ?? new ObjectId(),
    orgId,
    type: def.when.type,
    active: true,
    version: 0,
    executionCount: 0,
    successCount: 0,
    failureCount: 0,
    lastRunAt: null,
    createdBy: null,
    createdAt: now,
    updatedAt: now,
  };
  const db = scoped(orgId);
  const since = new Date(now.getTime() - DAYS * 24 * 3600_000);
  const [{ events, truncated, note }, segments, settings] = await Promise.all([pastEvents(orgId, trigger, since), loadSegments(orgId, segmentIdsOf(def.conditions)), getSettings(orgId)]);
  const compiled = compileTrigger(trigger, segments, now);
  const contactIds = [...new Set(events.map((e) => e.event.contactId))].map((id) => new ObjectId(id));
  const conversationIds = [...new Set(events.flatMap((e) => (e.event.conversationId ? [e.event.conversationId] : [])))].map((id) => new ObjectId(id));
  const templateIds = allSteps(def.steps).flatMap(({ step }) => (step.kind === "send_message" && step.templateId ? [new ObjectId(step.templateId)] : []));
  const [contacts, conversations, templates] = await Promise.all([
    contactIds.length ? db("contacts").find({ _id: { $in: contactIds } }).toArray() : [],
    conversationIds.length ? db("conversations").find({ _id: { $in: conversationIds } }, { projection: { status: 1, priority: 1 } }).toArray() : [],
    templateIds.length ? db("whatsapp_templates").find({ _id: { $in: templateIds } }, { projection: { name: 1 } }).toArray() : [],
  ]);
  const contactById = new Map(contacts.map((c) => [c._id.toHexString(), c]));
  const conversationById = new Map(conversations.map((c) => [c._id.toHexString(), c]));
  const templateNames = new Map(templates.map((t) => [t._id.toHexString(), t.name]));

  const result: DryRunResult = { days: DAYS, evaluated: events.length, truncated, runs: 0, contacts: 0, sends: 0, skippedByLoopProtection: 0, samples: [], note };
  const perDay = new Map<string, number>();
  const matchedContacts = new Set<string>();
  // Oldest first, as they happened, so the per-day limit counts in order.
  for (const { event, summary } of [...events].reverse()) {
    const contact = contactById.get(event.contactId);
    if (!contact || contact.erasedAt) continue;
    const conversation = event.conversationId ? conversationById.get(event.conversationId) : undefined;
    const facts = {
      conversation: conversation ? { status: conversation.status, priority: conversation.priority } : null,
      message: event.kind === "message" ? { text: event.text } : null,
      ai: event.kind === "analysis" ? { intents: event.intents, sentiment: event.sentiment } : null,
      businessHours: isWithinBusinessHours(settings.businessHours, new Date(event.at)),
    };
    if (matchTriggers([compiled], event, factsDoc(contact, facts), null).length === 0) continue;
    const dayKey = `${event.contactId}:${event.at.slice(0, 10)}`;
    const n = (perDay.get(dayKey) ?? 0) + 1;
    perDay.set(dayKey, n);
    if (n > def.maxRunsPerContactPerDay) {
      result.skippedByLoopProtection++;
      continue;
    }
    result.runs++;
    matchedContacts.add(event.contactId);
    const ctx = { optedOut: contact.consent.state === "opted_out", windowOpen: event.kind === "message" };
    const steps = allSteps(def.steps).map(({ path, step }) => ({ path, kind: step.kind, outcome: describe(step, ctx, templateNames) }));
    result.sends += steps.filter((s) => s.kind === "send_message" && s.outcome.startsWith("Would send")).length;
    if (result.samples.length < MAX_SAMPLES) result.samples.push({ contactId: event.contactId, name: contactLabel(contact), at: event.at, event: summary, steps });
  }
  result.contacts = matchedContacts.size;
  result.samples.reverse();
  return result;
}
