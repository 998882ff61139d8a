import type { ObjectId } from "mongodb";
import { emitAutomationEvent } from "@/lib/automation/emit";
import { isDuplicateKeyError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import { emitEvents, type EventInput } from "@/lib/outbound-webhooks/emit";
import type { ConsentEventDoc, ContactDoc } from "@/lib/schemas/contact";
import { defaultSettings, MAX_KEYWORD_LENGTH, normalizeKeyword, type SettingsValues } from "@/lib/schemas/settings";

/** Keyword lists change rarely and are read for short inbound texts only; a 30 s per-process cache is plenty. */
const SETTINGS_TTL_MS = 30_000;
const settingsCache = new Map<string, { value: KeywordSettings; until: number }>();
type KeywordSettings = Pick<SettingsValues, "optOutKeywords" | "optInKeywords" | "optOutConfirmation" | "optInConfirmation">;

export async function consentSettings(orgId: ObjectId): Promise<KeywordSettings> {
  const hit = settingsCache.get(orgId.toHexString());
  if (hit && hit.until > Date.now()) return hit.value;
  const doc = await scoped(orgId)("settings").findOne({}, { projection: { optOutKeywords: 1, optInKeywords: 1, optOutConfirmation: 1, optInConfirmation: 1 } });
  const value: KeywordSettings = {
    optOutKeywords: doc?.optOutKeywords ?? defaultSettings.optOutKeywords,
    optInKeywords: doc?.optInKeywords ?? defaultSettings.optInKeywords,
    optOutConfirmation: doc?.optOutConfirmation ?? defaultSettings.optOutConfirmation,
    optInConfirmation: doc?.optInConfirmation ?? defaultSettings.optInConfirmation,
  };
  settingsCache.set(orgId.toHexString(), { value, until: Date.now() + SETTINGS_TTL_MS });
  return value;
}

/** Called when this process changes the settings, so its own webhook sees new keywords at once (others within the TTL). */
export function forgetConsentSettings(orgId: ObjectId) {
  settingsCache.delete(orgId.toHexString());
}

export type ConsentChange = "opted_out" | "opted_in";

export async function keywordChange(orgId: ObjectId, text: string | null): Promise<ConsentChange | null> {
  if (!text || text.length > MAX_KEYWORD_LENGTH) return null;
  const word = normalizeKeyword(text);
  if (!word) return null;
  const s = await consentSettings(orgId);
  if (s.optOutKeywords.some((k) => normalizeKeyword(k) === word)) return "opted_out";
  if (s.optInKeywords.some((k) => normalizeKeyword(k) === word)) return "opted_in";
  return null;
}

/**
 * Sets the contact's consent and records the change (time, source, detail) in consent_events.
 * `eventId` is derived from what caused the change, so a redelivered webhook records it once.
 */
type RecordedChange = { eventId: ObjectId; state: ConsentChange; channel: ConsentEventDoc["channel"]; source: ConsentEventDoc["source"]; detail: string; at: Date };

/** The `contact.consent_changed` outbound webhook event of a change; its id follows the consent event's, so a repeat dedupes. */
export function consentChangedEvent(contactId: ObjectId, change: RecordedChange): EventInput {
  return {
    id: `evt_consent_${change.eventId.toHexString()}`,
    type: "contact.consent_changed",
    occurredAt: change.at,
    data: { contactId: contactId.toHexString(), state: change.state, channel: change.channel, source: change.source, detail: change.detail, at: change.at.toISOString() },
  };
}

/**
 * Records a consent change and tells outbound webhook subscribers. `emit: false` when the caller
 * publishes the event with others (the WhatsApp webhook's one publish per delivery, follow-ups.ts).
 */
export async function recordConsent(orgId: ObjectId, contactId: ObjectId, change: RecordedChange, options: { emit?: boolean } = {}) {
  const db = scoped(orgId);
  const optedIn = change.state === "opted_in";
  const set: Record<string, unknown> =
    change.channel === "marketing"
      ? { "consent.marketing": optedIn, "consent.changedAt": change.at, "consent.source": change.source }
      : { consent: { state: change.state, marketing: optedIn, changedAt: change.at, source: change.source } satisfies ContactDoc["consent"] };
  await db("contacts").updateOne({ _id: contactId }, { $set: { ...set, updatedAt: new Date() } });
  try {
    await db("consent_events").insertOne({
      _id: change.eventId,
      contactId,
      state: change.state,
      channel: change.channel,
      source: change.source,
      detail: change.detail,
      at: change.at,
    });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
  }
  // Automation hears every change once: the consent event's id makes the job's deduplication id.
  await emitAutomationEvent(orgId, {
    kind: "lifecycle",
    event: "consent_changed",
    contactId: contactId.toHexString(),
    conversationId: null,
    data: { state: change.state, channel: change.channel, source: change.source, eventId: change.eventId.toHexString() },
    at: change.at.toISOString(),
  });
  if (options.emit !== false) await emitEvents(orgId, [consentChangedEvent(contactId, change)]);
}
