import type { ObjectId } from "mongodb";
import { contactLabel } from "@/lib/contacts/contacts";
import { asSegmentQuery, audienceFilter } from "@/lib/contacts/segments/run";
import { scoped } from "@/lib/db/scoped";
import { getSettings } from "@/lib/settings/settings";
import type { ContactDoc } from "@/lib/schemas/contact";
import { journeyStages, stageLabels, type JourneyBoard, type JourneyCard, type JourneyStage, type JourneySuggestion } from "@/lib/schemas/journey";
import type { SegmentGroup } from "@/lib/schemas/segment";

/** Cards per column: the newest arrivals; the count says how many more there are. */
export const CARDS_PER_COLUMN = 50;

const DAY_MS = 86_400_000;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function toCard(c: ContactDoc, newest: Map<string, ObjectId>): JourneyCard {
  const live = Object.values(c.liveConversationIds ?? {})[0] ?? newest.get(c._id.toHexString());
  return {
    contactId: c._id.toHexString(),
    name: contactLabel(c),
    phone: c.phone,
    tags: c.tags,
    ownerId: c.ownerId?.toHexString() ?? null,
    leadScore: c.leadScore ?? null,
    since: c.journey!.since.toISOString(),
    conversationId: live?.toHexString() ?? null,
  };
}

/**
 * The journey board: per stage the newest arrivals (one indexed query each, on the stage copied
 * onto the contact), the column counts in one $group, stage-to-stage conversion from the journeys'
 * first-reached dates in another and the AI's waiting suggestions alongside, then one lookup of
 * the conversations to open. The filter (owner, tag, score...) is a segment definition, compiled by the
 * one compiler; a filtered board is a segment query like any audience.
 */
export async function journeyBoard(orgId: ObjectId, definition: SegmentGroup | null, now = new Date()): Promise<JourneyBoard> {
  const db = scoped(orgId);
  const has = (s: JourneyStage) => ({ $ifNull: [`$reached.${s}`, false] });
  const run = <T>(fn: () => Promise<T>) => (definition ? asSegmentQuery(fn) : fn());
  const projection = { name: 1, profileName: 1, phone: 1, username: 1, tags: 1, ownerId: 1, leadScore: 1, journey: 1, liveConversationIds: 1 };
  const [columns, counts, reached, suggestions, settings] = await Promise.all([
    Promise.all(
      journeyStages.map((stage) =>
        run(() =>
          db("contacts")
            .find(audienceFilter(definition, { "journey.stage": stage }), { sort: { "journey.since": -1, _id: -1 }, limit: CARDS_PER_COLUMN, projection })
            .toArray(),
        ),
      ),
    ),
    run(() =>
      db("contacts")
        .aggregate<{ _id: JourneyStage; n: number }>([{ $match: audienceFilter(definition, { "journey.stage": { $in: [...journeyStages] } }) }, { $group: { _id: "$journey.stage", n: { $sum: 1 } } }])
        .toArray(),
    ),
    db("customer_journeys")
      .aggregate<Record<string, number>>([
        {
          $group: {
            _id: null,
            ...Object.fromEntries(journeyStages.map((s) => [s, { $sum: { $cond: [has(s), 1, 0] } }])),
            // Who reached a stage and then the next one (someone placed straight into a later stage is not a conversion).
            ...Object.fromEntries(journeyStages.slice(1).map((s, i) => [`${journeyStages[i]}_on`, { $sum: { $cond: [{ $and: [has(journeyStages[i]!), has(s)] }, 1, 0] } }])),
          },
        },
      ])
      .toArray(),
    pendingSuggestions(orgId),
    getSettings(orgId),
  ]);
  // Each card opens the customer's conversation: the live one the contact points at, else their newest.
  const unlinked = (columns.flat() as ContactDoc[]).filter((c) => !Object.keys(c.liveConversationIds ?? {}).length).map((c) => c._id);
  const newest = new Map<string, ObjectId>();
  if (unlinked.length) {
    const rows = await db("conversations")
      .aggregate<{ _id: ObjectId; id: ObjectId }>([{ $match: { contactId: { $in: unlinked } } }, { $sort: { contactId: 1, createdAt: -1 } }, { $group: { _id: "$contactId", id: { $first: "$_id" } } }])
      .toArray();
    for (const r of rows) newest.set(r._id.toHexString(), r.id);
  }
  const countOf = new Map(counts.map((c) => [c._id, c.n]));
  const labels = stageLabels(settings.journeyStageNames);
  const reachedOf = reached[0];
  return {
    suggestions,
    columns: journeyStages.map((stage, i) => {
      const cards = (columns[i] as ContactDoc[]).map((c) => toCard(c, newest));
      const here = reachedOf?.[stage] ?? 0;
      return {
        stage,
        label: labels[stage],
        count: countOf.get(stage) ?? 0,
        cards,
        medianDaysInStage: median(cards.map((c) => (now.getTime() - Date.parse(c.since)) / DAY_MS)),
        conversionToNext: i < journeyStages.length - 1 && here > 0 ? (reachedOf?.[`${stage}_on`] ?? 0) / here : null,
        reachedCount: here,
      };
    }),
  };
}

/** Suggestions shown for review at most: the newest first. */
const SUGGESTIONS_SHOWN = 20;

/** The AI's stage suggestions waiting for a person (lib/journey/suggestions.ts), newest first, with names. */
export async function pendingSuggestions(orgId: ObjectId): Promise<JourneySuggestion[]> {
  const db = scoped(orgId);
  const waiting = await db("customer_journeys")
    .find({ "suggestion.at": { $gt: new Date(0) } }, { sort: { "suggestion.at": -1 }, limit: SUGGESTIONS_SHOWN, projection: { contactId: 1, suggestion: 1 } })
    .toArray();
  if (waiting.length === 0) return [];
  const contacts = await db("contacts")
    .find({ _id: { $in: waiting.map((w) => w.contactId) } }, { projection: { name: 1, profileName: 1, phone: 1, username: 1, journey: 1, erasedAt: 1 } })
    .toArray();
  const byId = new Map(contacts.map((c) => [c._id.toHexString(), c]));
  return waiting.flatMap((w) => {
    const c = byId.get(w.contactId.toHexString());
    const s = w.suggestion;
    if (!c || c.erasedAt || !s) return [];
    return [{
      contactId: c._id.toHexString(),
      name: contactLabel(c),
      from: c.journey?.stage ?? null,
      to: s.stage,
      confidence: s.confidence,
      reason: s.reason,
      conversationId: s.conversationId?.toHexString() ?? null,
      at: s.at.toISOString(),
    }];
  });
}
