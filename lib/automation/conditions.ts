import { Query } from "mingo";
import type { Filter } from "mongodb";
import { compileSegment, invalid, type CompileExtension } from "@/lib/contacts/segments/compile";
import { contextFields, type ConditionGroup } from "@/lib/schemas/automation";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { SegmentGroup } from "@/lib/schemas/segment";

/**
 * A trigger's conditions are compiled by THE segment compiler into one MongoDB filter over the
 * event's facts: the contact's own fields where a segment has them, and the event's under `_event`.
 * The filter is evaluated in memory (mingo, MongoDB's query semantics in JavaScript), so checking a
 * thousand triggers costs no database round trip; the contact was read once for the event.
 */

export type EventFacts = {
  conversation: { status: string; priority: string } | null;
  message: { text: string | null } | null;
  ai: { intents: string[]; sentiment: number | null } | null;
  businessHours: boolean;
};

/** The document a compiled condition is tested against. */
export type FactsDoc = ContactDoc & { _event: EventFacts };

const EVENT_PREFIX = "_event";

/** Saved segments a condition may name, by id (their definitions are compiled inline). */
export type SegmentLookup = Map<string, { name: string; definition: SegmentGroup }>;

function extension(segments: SegmentLookup, now: Date): CompileExtension {
  const fields = Object.fromEntries(
    Object.entries(contextFields)
      .filter(([name]) => name !== "segment")
      .map(([name, f]) => [name, { ...f, path: `${EVENT_PREFIX}.${name}` }]),
  );
  return {
    fields,
    special(c, where) {
      if (c.field !== "segment") return null;
      if (c.op !== "has_any" && c.op !== "has_none") throw invalid(where, `In saved segment takes has_any or has_none, not "${c.op}"`);
      const ids = Array.isArray(c.value) ? c.value : [];
      if (ids.length === 0) throw invalid(where, "choose at least one saved segment");
      const filters: Filter<ContactDoc>[] = ids.map((id) => {
        const s = segments.get(id);
        if (!s) throw invalid(where, `the saved segment ${id} does not exist (deleted?)`);
        return compileSegment(s.definition, now);
      });
      // A segment with no conditions is "every contact".
      const effective = filters.map((f) => (Object.keys(f).length ? f : { _id: { $exists: true } }));
      return c.op === "has_any" ? { $or: effective } : { $nor: effective };
    },
  };
}

/** The segment ids a condition tree names, so they can be loaded before compiling. */
export function segmentIdsOf(group: ConditionGroup): string[] {
  const out: string[] = [];
  const walk = (g: ConditionGroup) => {
    for (const c of g.conditions) {
      if ("match" in c) walk(c);
      else if (c.field === "segment" && Array.isArray(c.value)) out.push(...c.value);
    }
  };
  walk(group);
  return [...new Set(out)];
}

/** Throws ApiError 422 naming the condition when a field, operator or value is invalid. */
export function compileConditions(group: ConditionGroup, segments: SegmentLookup, now = new Date()): Filter<ContactDoc> {
  return compileSegment(group as SegmentGroup, now, extension(segments, now));
}

export type CompiledConditions = { test: (doc: FactsDoc) => boolean };

export function conditionTester(group: ConditionGroup, segments: SegmentLookup, now = new Date()): CompiledConditions {
  const filter = compileConditions(group, segments, now);
  if (Object.keys(filter).length === 0) return { test: () => true };
  const query = new Query(filter as Record<string, unknown>);
  return { test: (doc) => query.test(doc as unknown as Record<string, unknown>) };
}

export function factsDoc(contact: ContactDoc, facts: EventFacts): FactsDoc {
  return { ...contact, _event: facts };
}
