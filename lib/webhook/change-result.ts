import type { ObjectId } from "mongodb";
import type { FollowUps } from "./follow-ups";

/** What handling one `changes[]` item produced; the envelope's outcome is built from all of them. */
export type ChangeResult = {
  orgId: ObjectId | null;
  counts: { messages: number; statuses: number; other: number };
  /** Parts that could not be handled: they make the envelope `unprocessed` (shown to admins). */
  problems: string[];
  /** Handled, but worth knowing (e.g. a reaction to a message we never stored). */
  notes: string[];
  followUps: Omit<FollowUps, "orgId"> | null;
};

export function emptyResult(orgId: ObjectId | null = null): ChangeResult {
  return { orgId, counts: { messages: 0, statuses: 0, other: 0 }, problems: [], notes: [], followUps: null };
}
