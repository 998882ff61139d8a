import type { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";
import { leadScoreResponse, type LeadScoreDoc, type LeadScoreResponse, type ScoreDistribution } from "@/lib/schemas/lead-score";
import { getSettings } from "@/lib/settings/settings";
import { scoringContactProjection, type ScoringContact } from "./inputs";
import { rescoreContacts } from "./rescore";

/** The score every reader shows: the locked number while a lock is set. */
export const effectiveScore = (doc: Pick<LeadScoreDoc, "score" | "locked">) => doc.locked?.score ?? doc.score;

export function toLeadScoreResponse(doc: LeadScoreDoc): LeadScoreResponse {
  return leadScoreResponse.parse({
    contactId: doc.contactId.toHexString(),
    score: effectiveScore(doc),
    explanation: doc.explanation,
    factors: doc.factors.map((f) => ({ ...f, evidence: f.evidence.map((e) => ({ ...e, at: e.at?.toISOString() ?? null })) })),
    computedAt: doc.computedAt.toISOString(),
    history: doc.history.map((h) => ({ at: h.at.toISOString(), score: h.score })),
    locked: doc.locked ? { by: doc.locked.by.toHexString(), byName: doc.locked.byName, at: doc.locked.at.toISOString(), score: doc.locked.score } : null,
  });
}

/** The contact's score with its explanation and history; null when not scored yet. */
export async function getLeadScore(orgId: ObjectId, contactId: ObjectId): Promise<LeadScoreResponse | null> {
  const doc = await scoped(orgId)("lead_scores").findOne({ contactId });
  return doc ? toLeadScoreResponse(doc) : null;
}

/**
 * Locks (a person vouches for the number: jobs stop changing it) or unlocks the score, audited.
 * An unscored contact is scored first, so there is always a number to lock. Unlocking rescores at
 * once, so the number shown is the computed one again.
 */
export async function setScoreLock(orgId: ObjectId, actor: Actor & { id: ObjectId }, contactId: ObjectId, locked: boolean): Promise<LeadScoreResponse> {
  const db = scoped(orgId);
  const [contact, { leadScoring }, stored] = await Promise.all([
    db("contacts").findOne({ _id: contactId }, { projection: scoringContactProjection }),
    getSettings(orgId),
    db("lead_scores").findOne({ contactId }),
  ]);
  if (!contact || contact.erasedAt) throw new ApiError("not_found", "Contact not found");
  let doc = stored;
  if (!doc) {
    await rescoreContacts(orgId, [contact as ScoringContact], leadScoring);
    doc = await db("lead_scores").findOne({ contactId });
    if (!doc) throw new ApiError("internal", "The score could not be computed");
  }
  if (!!doc.locked === locked) return toLeadScoreResponse(doc);
  const before = effectiveScore(doc);
  const now = new Date();
  if (locked) {
    // Compare-and-set on the number too, so `locked.score` is the score the person saw; a job that
    // moved it meanwhile makes the next attempt lock the new number.
    for (let attempt = 0; attempt < 3 && doc && !doc.locked; attempt++) {
      const res = await db("lead_scores").updateOne({ contactId, locked: null, score: doc.score }, { $set: { locked: { by: actor.id, byName: actor.name, at: now, score: doc.score }, updatedAt: now } });
      if (res.modifiedCount > 0) break;
      doc = await db("lead_scores").findOne({ contactId });
    }
  } else {
    await db("lead_scores").updateOne({ contactId, locked: { $ne: null } }, { $set: { locked: null, updatedAt: now } });
    await rescoreContacts(orgId, [contact as ScoringContact], leadScoring);
  }
  const after = (await db("lead_scores").findOne({ contactId }))!;
  await recordActivity(orgId, actor, {
    action: locked ? "contact.lead_score_locked" : "contact.lead_score_unlocked",
    entityType: "contact",
    entityId: contactId,
    before: { leadScore: before, locked: !locked },
    after: { leadScore: effectiveScore(after), locked: !!after.locked },
  });
  return toLeadScoreResponse(after);
}

/** How the organization's scores spread over ten bands, for the settings page's chart: one aggregation. */
export async function scoreDistribution(orgId: ObjectId): Promise<ScoreDistribution> {
  const rows = await scoped(orgId)("lead_scores")
    .aggregate<{ _id: number; count: number; locked: number }>([
      // 100 joins the 90s band: ten bands of ten, the last one closed.
      { $group: { _id: { $min: [9, { $floor: { $divide: [{ $ifNull: ["$locked.score", "$score"] }, 10] } }] }, count: { $sum: 1 }, locked: { $sum: { $cond: [{ $ifNull: ["$locked", false] }, 1, 0] } } } },
    ])
    .toArray();
  const byBand = new Map(rows.map((r) => [r._id, r]));
  const buckets = Array.from({ length: 10 }, (_, i) => ({ from: i * 10, to: i === 9 ? 100 : i * 10 + 9, count: byBand.get(i)?.count ?? 0 }));
  return { buckets, scored: rows.reduce((s, r) => s + r.count, 0), locked: rows.reduce((s, r) => s + r.locked, 0) };
}
