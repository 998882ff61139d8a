import { MongoBulkWriteError, ObjectId, type AnyBulkWriteOperation } from "mongodb";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc } from "@/lib/schemas/contact";
import { SCORE_HISTORY_LENGTH, type LeadScoreDoc, type LeadScoringConfig } from "@/lib/schemas/lead-score";
import { computeLeadScore } from "./compute";
import { IN_CHUNK, loadScoringInputs, type ScoringContact } from "./inputs";

export type RescoreResult = { scored: number; changed: number; locked: number; skipped: number };

const sameDay = (a: Date, b: Date) => a.toISOString().slice(0, 10) === b.toISOString().slice(0, 10);

/**
 * Recomputes and stores the scores of a batch of contacts (at most IN_CHUNK): one read of their
 * current scores, the event reads of loadScoringInputs, then ONE bulkWrite to lead_scores and, for
 * the contacts whose number changed, ONE bulkWrite to contacts (the denormalised `leadScore` the
 * directory sorts and segments by, docs/scoring.md). A locked score is left as the person set it.
 * The history gains a point when the score changes, and at most one a day otherwise.
 */
export async function rescoreContacts(orgId: ObjectId, contacts: ScoringContact[], config: LeadScoringConfig, now = new Date()): Promise<RescoreResult> {
  if (contacts.length > IN_CHUNK) throw new Error(`rescoreContacts takes at most ${IN_CHUNK} contacts`);
  const live = contacts.filter((c) => !c.erasedAt);
  const result: RescoreResult = { scored: 0, changed: 0, locked: 0, skipped: contacts.length - live.length };
  if (live.length === 0) return result;
  const db = scoped(orgId);
  const [existing, inputs] = await Promise.all([
    db("lead_scores").find({ contactId: { $in: live.map((c) => c._id) } }, { projection: { contactId: 1, score: 1, locked: 1, history: { $slice: -1 } } }).toArray(),
    loadScoringInputs(orgId, live, config, now),
  ]);
  const current = new Map(existing.map((s) => [s.contactId.toHexString(), s as Pick<LeadScoreDoc, "contactId" | "score" | "locked" | "history">]));

  const scoreOps: AnyBulkWriteOperation<LeadScoreDoc>[] = [];
  const contactOps: AnyBulkWriteOperation<ContactDoc>[] = [];
  for (const c of live) {
    const key = c._id.toHexString();
    const before = current.get(key);
    if (before?.locked) {
      result.locked++;
      if (c.leadScore !== before.score) contactOps.push({ updateOne: { filter: { _id: c._id }, update: { $set: { leadScore: before.score } } } });
      continue;
    }
    const { score, factors, explanation } = computeLeadScore(inputs.get(key)!, config, now);
    const last = before?.history.at(-1);
    const addPoint = !before || before.score !== score || !last || !sameDay(last.at, now);
    const set = { score, factors, explanation, computedAt: now, updatedAt: now };
    const push = addPoint ? { $push: { history: { $each: [{ at: now, score }], $slice: -SCORE_HISTORY_LENGTH } } } : {};
    if (before) {
      // `locked: null` in the filter: a lock taken since the read above wins over this computation.
      scoreOps.push({ updateOne: { filter: { contactId: c._id, locked: null }, update: { $set: set, ...push } } });
    } else {
      scoreOps.push({
        updateOne: { filter: { contactId: c._id }, update: { $set: set, $setOnInsert: { _id: new ObjectId(), createdAt: now, locked: null }, ...push }, upsert: true },
      });
    }
    result.scored++;
    if (!before || before.score !== score) result.changed++;
    if (c.leadScore !== score) contactOps.push({ updateOne: { filter: { _id: c._id }, update: { $set: { leadScore: score } } } });
  }
  if (scoreOps.length) {
    try {
      await db("lead_scores").bulkWrite(scoreOps, { ordered: false });
    } catch (err) {
      // Two first computations of one contact raced on the unique (orgId, contactId): the other stored the same score.
      if (!(err instanceof MongoBulkWriteError)) throw err;
      const errors = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
      if (errors.some((e) => e.code !== 11000)) throw err;
    }
  }
  if (contactOps.length) await db("contacts").bulkWrite(contactOps, { ordered: false });
  return result;
}
