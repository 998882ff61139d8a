/**
 * Meta's limits on editing an APPROVED template (Meta, "Template management"): at most 10 edits in
 * a moving 30-day window, and at most 1 in 24 hours. Rejected and paused templates can be edited
 * without limit. Pure, so the templates list and the builder show the same count the API enforces.
 */
export const EDITS_PER_WINDOW = 10;
const DAY_MS = 24 * 60 * 60 * 1000;
export const EDIT_WINDOW_MS = 30 * DAY_MS;
export const EDIT_GAP_MS = DAY_MS;

export type EditAllowance = {
  used: number;
  limit: number;
  /** When the next edit is allowed; null: now. */
  nextEditAt: Date | null;
  /** Why an edit now would be refused, in words; null when it is allowed. */
  refusal: string | null;
};

/** "2026-04-02 10:00 UTC": one unambiguous form for server and browser alike. */
export function utcMinute(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function editAllowance(edits: readonly Date[], now = new Date()): EditAllowance {
  const inWindow = edits.filter((d) => now.getTime() - d.getTime() < EDIT_WINDOW_MS).sort((a, b) => a.getTime() - b.getTime());
  const used = inWindow.length;
  const last = inWindow.at(-1);
  const windowFull = used >= EDITS_PER_WINDOW ? new Date(inWindow[used - EDITS_PER_WINDOW]!.getTime() + EDIT_WINDOW_MS) : null;
  const tooSoon = last && now.getTime() - last.getTime() < EDIT_GAP_MS ? new Date(last.getTime() + EDIT_GAP_MS) : null;
  const nextEditAt = windowFull && tooSoon ? (windowFull > tooSoon ? windowFull : tooSoon) : (windowFull ?? tooSoon);
  let refusal: string | null = null;
  if (windowFull) {
    refusal = `This approved template was edited ${used} times in the last 30 days; Meta allows ${EDITS_PER_WINDOW}. It can be edited again from ${utcMinute(nextEditAt!)}.`;
  } else if (tooSoon) {
    refusal = `Meta allows one edit of an approved template per 24 hours; this one can be edited again from ${utcMinute(tooSoon)}.`;
  }
  return { used, limit: EDITS_PER_WINDOW, nextEditAt, refusal };
}
