import { MongoBulkWriteError, ObjectId, type AnyBulkWriteOperation } from "mongodb";
import { announceScoreChanges } from "@/lib/automation/score-events";
import { scoped } from "@/lib/db/scoped";
import type { ContactDoc } from "@/lib/schemas/contact";
import { SCORE_HISTORY_LENGTH, type LeadScoreDoc, type LeadScoringConfig } from "@/lib/schemas/lead-score";
import { computeLeadScore, type ScoringInputs } from "./compute";
import { IN_CHUNK, loadScoringInputs, type ScoringContact } from "./inputs";

export type RescoreResult = { scored: number; changed: number; locked: number; skipped: number };

const sameDay = (a: Date, b: Date) => a.toISOString().slice(0, 10) === b.toISOString().slice(0, 10);

/** What the batch needs of a stored score. */
export const currentScoreProjection = { _id: 1, contactId: 1, score: 1, locked: 1, history: { $slice: -1 } } as const;
export type CurrentScore = Pick<LeadScoreDoc, "_id" | "contactId" | "score" | "locked" | "history">;

/**
 * Recomputes and stores the scores of a batch of contacts (at most IN_CHUNK): one read of their
 * current scores and the event reads of loadScoringInputs, then writeScores.
 */
export async function rescoreContacts(orgId: ObjectId, contacts: ScoringContact[], config: LeadScoringConfig, now = new Date()): Promise<RescoreResult> {
  if (contacts.length > IN_CHUNK) throw new Error(`rescoreContacts takes at most ${IN_CHUNK} contacts`);
  const live = contacts.filter((c) => !c.erasedAt);
  if (live.length === 0) return { scored: 0, changed: 0, locked: 0, skipped: contacts.length };
  const [existing, inputs] = await Promise.all([
    scoped(orgId)("lead_scores").find({ contactId: { $in: live.map((c) => c._id) } }, { projection: currentScoreProjection }).toArray() as Promise<CurrentScore[]>,
    loadScoringInputs(orgId, live, config, now),
  ]);
  return writeScores(orgId, contacts, inputs, existing, config, now);
}

/**
 * Computes and stores a batch's scores from its events and current scores: ONE bulkWrite to
 * lead_scores (an update by `_id` of each existing score, an insert of each new one) and, for the
 * contacts whose number changed, ONE bulkWrite to contacts (the denormalised `leadScore` the
 * directory sorts and segments by, docs/scoring.md). A locked score is left as the person set it.
 * The history gains a point when the score changes, and at most one a day otherwise.
 */
export async function writeScores(
  orgId: ObjectId,
  contacts: ScoringContact[],
  inputs: Map<string, ScoringInputs>,
  existing: CurrentScore[],
  config: LeadScoringConfig,
  now: Date,
): Promise<RescoreResult> {
  const live = contacts.filter((c) => !c.erasedAt);
  const result: RescoreResult = { scored: 0, changed: 0, locked: 0, skipped: contacts.length - live.length };
  if (live.length === 0) return result;
  const db = scoped(orgId);
  const current = new Map(existing.map((s) => [s.contactId.toHexString(), s]));

  const scoreOps: AnyBulkWriteOperation<LeadScoreDoc>[] = [];
  const contactOps: AnyBulkWriteOperation<ContactDoc>[] = [];
  const crossings: { contactId: ObjectId; from: number | null; to: number }[] = [];
  for (const c of live) {
    const key = c._id.toHexString();
    const before = current.get(key);
    if (before?.locked) {
      result.locked++;
      const pinned = before.locked.score;
      // A computation that read this score just before the lock and wrote just after it: put the locked number back.
      if (before.score !== pinned) scoreOps.push({ updateOne: { filter: { contactId: c._id, "locked.at": before.locked.at }, update: { $set: { score: pinned, updatedAt: now } } } });
      if (c.leadScore !== pinned) contactOps.push({ updateOne: { filter: { _id: c._id }, update: { $set: { leadScore: pinned } } } });
      continue;
    }
    const { score, factors, explanation } = computeLeadScore(inputs.get(key) ?? emptyInputs(c), config, now);
    const last = before?.history.at(-1);
    const addPoint = !before || before.score !== score || !last || !sameDay(last.at, now);
    const set = { score, factors, explanation, computedAt: now, updatedAt: now };
    if (before) {
      // A point write on the unique (orgId, contactId). A lock taken since the read above keeps its own
      // number (`locked.score`, what readers show) and the next computation restores `score` to it.
      const push = addPoint ? { $push: { history: { $each: [{ at: now, score }], $slice: -SCORE_HISTORY_LENGTH } } } : {};
      scoreOps.push({ updateOne: { filter: { contactId: c._id }, update: { $set: set, ...push } } });
    } else {
      scoreOps.push({ insertOne: { document: { _id: new ObjectId(), contactId: c._id, ...set, createdAt: now, history: [{ at: now, score }], locked: null } as LeadScoreDoc } });
    }
    result.scored++;
    if (!before || before.score !== score) result.changed++;
    if (c.leadScore !== score) {
      contactOps.push({ updateOne: { filter: { _id: c._id }, update: { $set: { leadScore: score } } } });
      crossings.push({ contactId: c._id, from: c.leadScore ?? null, to: score });
    }
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
  await announceScoreChanges(orgId, crossings);
  return result;
}

const emptyInputs = (c: ScoringContact): ScoringInputs => ({ contact: { email: c.email, company: c.company, tags: c.tags ?? [], lastInboundAt: c.lastInboundAt }, messages: [], clicks: [], analyses: [] });
