/**
 * What a campaign does about each of Meta's error codes (../shared/design/whatsapp-cloud-api-notes.md
 * section 3 and campaigns-and-automation.md), the same whether the error came back from the send
 * or later in a `failed` status webhook:
 * - reschedule: 131049, the per-user marketing limit; Meta asks to wait at least 24 h (or until the
 *   customer writes, which opens a window in which the message counts no more).
 * - marketing_stop: 131050, the person stopped marketing messages; recorded in the consent ledger.
 * - backoff: throughput (130429), pair rate (131056), WABA/app limits, Meta's transient errors and
 *   no answer at all: the recipient goes back to the queue with an exponential delay.
 * - pause: the template or the account cannot send (paused/disabled template 132015/132016, missing
 *   template 132001, parameters that do not fit 132000/132012, policy 132007, token 190, locked or
 *   maintenance): every other recipient would fail the same way, so the campaign stops with the reason.
 * - final: undeliverable (131026), invalid number or parameter, unsupported; the recipient fails.
 */
export type ErrorAction =
  | { kind: "reschedule"; afterMs: number }
  | { kind: "marketing_stop" }
  | { kind: "backoff" }
  | { kind: "pause"; reason: string }
  | { kind: "final" };

export const RESCHEDULE_AFTER_MS = 24 * 3600_000;
/** Attempts before a recipient that keeps hitting rate limits is given up. */
export const MAX_BACKOFF_ATTEMPTS = 6;

const BACKOFF = new Set([130429, 131056, 80007, 4, 131000, 131016, 133004, 2, 1]);
const PAUSE: Record<number, string> = {
  132015: "The template was paused by Meta for low quality",
  132016: "The template was disabled by Meta",
  132001: "The template does not exist in this language at Meta (was it deleted?)",
  132000: "The template's variables do not match what Meta expects",
  132012: "A template variable has a format Meta refuses",
  132005: "The template's text became too long with its variables",
  132007: "The template's content violates a WhatsApp policy",
  132068: "The Flow in the template is blocked",
  190: "Meta refused the access token; renew it in Settings → WhatsApp numbers",
  0: "Meta could not authenticate the app; check the access token",
  131031: "The WhatsApp Business account is locked",
  131057: "The WhatsApp Business account is in maintenance mode",
  368: "The account is temporarily blocked for policy violations",
  131042: "There is a payment problem with the WhatsApp Business account",
};

/** `-1` is the client's own code for "no answer from Meta" (network) and "not configured". */
export function actionFor(code: number, clientKind?: string): ErrorAction {
  if (clientKind === "not_configured") return { kind: "pause", reason: "WhatsApp is not configured for this number (no access token)" };
  if (clientKind === "network") return { kind: "backoff" };
  if (code === 131049) return { kind: "reschedule", afterMs: RESCHEDULE_AFTER_MS };
  if (code === 131050) return { kind: "marketing_stop" };
  if (BACKOFF.has(code)) return { kind: "backoff" };
  const reason = PAUSE[code];
  if (reason) return { kind: "pause", reason: `${reason} (${code})` };
  return { kind: "final" };
}

/** Meta asks for 4^X seconds between retries on pair limits; capped at 15 minutes. */
export function backoffSeconds(attempt: number): number {
  return Math.min(4 ** Math.max(1, attempt), 900);
}
