import { isDeepStrictEqual } from "node:util";
import { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { defaultSettings, normalizeKeyword, pickSettingsValues, type SettingsDoc, type SettingsValues, type UpdateSettingsBody } from "@/lib/schemas/settings";
import { forgetConsentSettings } from "@/lib/webhook/consent";
import { diff, recordActivity, type Actor } from "@/lib/audit/audit";
import { scoped } from "@/lib/db/scoped";

export type OrgSettings = SettingsValues & { updatedAt: Date };

/** The organization's settings; the defaults (dated now) if its document is missing. */
export async function getSettings(orgId: ObjectId): Promise<OrgSettings> {
  return toOrgSettings(await scoped(orgId)("settings").findOne({}));
}

/** A settings document as values (the session reads it with the user, see lib/auth/session.ts). */
export function toOrgSettings(doc: SettingsDoc | null): OrgSettings {
  return doc ? { ...pickSettingsValues(doc), updatedAt: doc.updatedAt } : { ...defaultSettings, updatedAt: new Date() };
}

/**
 * Applies a validated partial update: only fields whose value really changes are written and
 * audited (arrays and business hours compared deeply, so re-sending the whole form is a no-op).
 */
export async function updateSettings(orgId: ObjectId, patch: UpdateSettingsBody, actor: Actor): Promise<OrgSettings> {
  const current = await getSettings(orgId);
  const merged = { ...current, ...patch };
  const inBoth = merged.optOutKeywords.find((k) => merged.optInKeywords.some((o) => normalizeKeyword(o) === normalizeKeyword(k)));
  if (inBoth !== undefined) throw new ApiError("unprocessable_entity", `"${inBoth}" cannot be both an opt-out and an opt-in keyword`);

  const changed = Object.fromEntries(
    Object.entries(patch).filter(([k, v]) => v !== undefined && !isDeepStrictEqual(current[k as keyof SettingsValues], v)),
  ) as Partial<SettingsValues>;
  if (Object.keys(changed).length === 0) return current;

  const now = new Date();
  const unchangedDefaults = Object.fromEntries(Object.entries(defaultSettings).filter(([k]) => !(k in changed)));
  const doc = await scoped(orgId)("settings").findOneAndUpdate(
    {},
    // The document exists for every organization; the upsert only heals one that lost it.
    { $set: { ...changed, updatedAt: now, updatedBy: actor.id }, $setOnInsert: { _id: new ObjectId(), ...unchangedDefaults } },
    { upsert: true, returnDocument: "after" },
  );
  if (!doc) throw new ApiError("internal", "The settings could not be saved");
  forgetConsentSettings(orgId);
  const { before, after } = diff(current as Record<string, unknown>, changed);
  await recordActivity(orgId, actor, { action: "settings.updated", entityType: "settings", entityId: doc._id, before, after });
  return { ...pickSettingsValues(doc), updatedAt: doc.updatedAt };
}
