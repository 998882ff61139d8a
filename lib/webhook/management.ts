import { ObjectId } from "mongodb";
import { z } from "zod";
import { escapeKeys } from "@/lib/db/safe-keys";
import { scoped } from "@/lib/db/scoped";
import type { TemplateDoc } from "@/lib/schemas/template";
import type { WhatsappAccountDoc } from "@/lib/schemas/whatsapp-account";
import { templateKey } from "@/lib/whatsapp/templates";
import { pauseCampaignsUsing } from "@/lib/campaigns/outcomes";
import { accountsByWabaId, type AccountRef } from "./accounts";
import { emptyResult, type ChangeResult } from "./change-result";
import { issueText } from "./envelope";

/** Management webhooks: no `metadata`, only the WABA id in `entry[].id` and a flat `value`. */
export const templateFields = [
  "message_template_status_update",
  "message_template_quality_update",
  "template_category_update",
  "message_template_components_update",
] as const;
export const accountFields = [
  "phone_number_quality_update",
  "account_update",
  "account_review_update",
  "business_capability_update",
  "phone_number_name_update",
  "security",
  "account_alerts",
] as const;
type TemplateField = (typeof templateFields)[number];
type AccountField = (typeof accountFields)[number];

export const isTemplateField = (f: string): f is TemplateField => (templateFields as readonly string[]).includes(f);
export const isAccountField = (f: string): f is AccountField => (accountFields as readonly string[]).includes(f);

const templateValue = z
  .object({
    message_template_id: z.union([z.number(), z.string()]).transform(String),
    message_template_name: z.string().min(1),
    message_template_language: z.string().min(1),
  })
  .loose();

type Entry = { id: string; time?: number };

async function accountsOf(entry: Entry): Promise<{ byOrg: Map<string, AccountRef[]> } | { problem: string }> {
  const accounts = await accountsByWabaId(entry.id);
  if (accounts.length === 0) return { problem: `no WhatsApp account with WABA id ${entry.id}` };
  const byOrg = new Map<string, AccountRef[]>();
  for (const a of accounts) byOrg.set(a.orgId.toHexString(), [...(byOrg.get(a.orgId.toHexString()) ?? []), a]);
  return { byOrg };
}

/** Keeps each stored template's approval state, quality, category and components current. */
export async function handleTemplateChange(field: TemplateField, entry: Entry, value: Record<string, unknown>): Promise<ChangeResult> {
  const result = emptyResult();
  const parsed = templateValue.safeParse(value);
  if (!parsed.success) return { ...result, problems: [`${field}: ${issueText(parsed.error)}`] };
  const found = await accountsOf(entry);
  if ("problem" in found) return { ...result, problems: [`${field}: ${found.problem}`] };
  const v = parsed.data;
  const set = templateUpdate(field, v);
  for (const [org, accounts] of found.byOrg) {
    const orgId = new ObjectId(org);
    result.orgId ??= orgId;
    result.counts.other++;
    if (!set) {
      result.notes.push(`${field}: template ${v.message_template_name} announced a category change to ${String(v.correct_category ?? v.new_category)}`);
      continue;
    }
    // Upserted by the key the sync also uses: a template not synced yet is kept with what the
    // webhook says, so the state is not lost; the next sync fills in the rest.
    const account = accounts[0]!;
    const now = new Date();
    const defaults: Omit<TemplateDoc, "orgId" | "key" | "metaId" | "updatedAt"> = {
      _id: new ObjectId(),
      accountId: account._id,
      wabaId: account.wabaId,
      name: v.message_template_name,
      language: v.message_template_language,
      category: "UNKNOWN",
      status: "PENDING",
      qualityScore: null,
      rejectedReason: null,
      parameterFormat: "positional",
      components: [],
      syncedAt: new Date(0),
      createdAt: now,
    };
    const onInsert = Object.fromEntries(Object.entries(defaults).filter(([k]) => !(k in set)));
    const stored = await scoped(orgId)("whatsapp_templates").findOneAndUpdate(
      { key: templateKey(account.wabaId, v.message_template_name, v.message_template_language) },
      { $set: { ...set, metaId: v.message_template_id, updatedAt: now }, $setOnInsert: onInsert },
      { upsert: true, returnDocument: "after", projection: { _id: 1, name: 1 } },
    );
    if (stored && (set.status === "PAUSED" || set.status === "DISABLED")) {
      const why = set.status === "PAUSED" ? `paused by Meta${typeof v.other_info === "object" && v.other_info ? ` (${String((v.other_info as { title?: unknown }).title ?? "low quality")})` : " for low quality"}` : "disabled by Meta";
      result.notes.push(`template ${stored.name} ${why}: ${await pauseCampaignsUsing(orgId, stored._id, `The template "${stored.name}" was ${why}`)} campaign(s) paused`);
    }
  }
  return result;
}

function templateUpdate(field: TemplateField, v: Record<string, unknown>): Partial<Omit<TemplateDoc, "orgId">> | null {
  const str = (k: string) => (typeof v[k] === "string" && v[k] ? (v[k] as string) : null);
  switch (field) {
    case "message_template_status_update": {
      const reason = str("reason");
      const detail = (v.rejection_info as { reason?: unknown } | null | undefined)?.reason;
      const other = v.other_info as { title?: unknown; description?: unknown } | null | undefined;
      return {
        pausedReason: str("event") === "PAUSED" ? [other?.title, other?.description].filter((x): x is string => typeof x === "string" && !!x).join(": ") || null : null,
        status: str("event") ?? "UNKNOWN",
        rejectedReason: reason && reason !== "NONE" ? (typeof detail === "string" && detail ? `${reason}: ${detail}` : reason) : null,
        ...(str("message_template_category") ? { category: str("message_template_category")! } : {}),
      };
    }
    case "message_template_quality_update":
      return { qualityScore: str("new_quality_score") };
    case "template_category_update":
      // Without previous_category this is Meta's advance notice; the category changes later.
      return str("previous_category") && str("new_category") ? { category: str("new_category")! } : null;
    case "message_template_components_update":
      return { components: componentsOf(v) };
  }
}

/** message_template_components_update flattens the template; rebuild Meta's components array. */
function componentsOf(v: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (typeof v.message_template_title === "string") out.push({ type: "HEADER", format: "TEXT", text: v.message_template_title });
  if (typeof v.message_template_element === "string") out.push({ type: "BODY", text: v.message_template_element });
  if (typeof v.message_template_footer === "string") out.push({ type: "FOOTER", text: v.message_template_footer });
  // Only each button's string fields are kept (what a send reads back), never whatever else a value holds.
  const str = (x: unknown) => (typeof x === "string" && x ? x : undefined);
  const buttons = (Array.isArray(v.message_template_buttons) ? (v.message_template_buttons as unknown[]) : []).filter(
    (b): b is Record<string, unknown> => typeof b === "object" && b !== null && !Array.isArray(b),
  );
  if (buttons.length) {
    out.push({
      type: "BUTTONS",
      buttons: buttons.map((b) => {
        const url = str(b.message_template_button_url);
        const phone = str(b.message_template_button_phone_number);
        return { type: str(b.message_template_button_type), text: str(b.message_template_button_text), ...(url ? { url } : {}), ...(phone ? { phone_number: phone } : {}) };
      }),
    });
  }
  return out;
}

/** The digits of a phone number; anything else (Meta sends strings, a mangled payload may not) has none. */
const digits = (s: unknown) => (typeof s === "string" ? s.replace(/\D/g, "") : "");

/** An account keeps its last events only (`$slice`): a number's history must not grow its document without bound. */
export const ACCOUNT_EVENTS_KEPT = 100;

/** Quality, limits, reviews, bans, names and security events, recorded on the WhatsApp account. */
export async function handleAccountChange(field: AccountField, entry: Entry, value: Record<string, unknown>): Promise<ChangeResult> {
  const result = emptyResult();
  const found = await accountsOf(entry);
  if ("problem" in found) return { ...result, problems: [`${field}: ${found.problem}`] };
  const at = entry.time ? new Date(entry.time * 1000) : new Date();
  const set = accountUpdate(field, value);
  const number = digits(value.display_phone_number);
  for (const [org, accounts] of found.byOrg) {
    const orgId = new ObjectId(org);
    result.orgId ??= orgId;
    result.counts.other++;
    // Number-level events name their number; a WABA-level event concerns every number of the WABA.
    const matching = number ? accounts.filter((a) => digits(a.displayPhoneNumber) === number) : [];
    const targets = (matching.length ? matching : accounts).map((a) => a._id);
    await scoped(orgId)("whatsapp_accounts").updateMany(
      { _id: { $in: targets } },
      { $set: { ...set, updatedAt: new Date() }, $push: { events: { $each: [{ field, at, value: escapeKeys(value) }], $slice: -ACCOUNT_EVENTS_KEPT } } },
    );
  }
  return result;
}

function accountUpdate(field: AccountField, v: Record<string, unknown>): Partial<WhatsappAccountDoc> {
  const set: Partial<WhatsappAccountDoc> = {};
  if (field === "phone_number_quality_update") {
    const max = v.max_daily_conversations_per_business;
    if (typeof v.current_limit === "string") set.messagingLimit = v.current_limit;
    if (max !== undefined && max !== null) set.messagingLimit = limitTier(Number(max));
    if (v.event === "THROUGHPUT_UPGRADE") set.throughputMps = 1000;
    // Meta flags a number when its quality rating drops to low (red).
    if (v.event === "FLAGGED") set.qualityRating = "RED";
  }
  if (field === "business_capability_update" && v.max_daily_conversations_per_business !== undefined) {
    set.messagingLimit = limitTier(Number(v.max_daily_conversations_per_business));
  }
  if (field === "phone_number_name_update" && v.decision === "APPROVED" && typeof v.requested_verified_name === "string") {
    set.verifiedName = v.requested_verified_name;
  }
  if (field === "account_update" && v.event === "DISABLED_UPDATE") {
    const state = (v.ban_info as { waba_ban_state?: string } | undefined)?.waba_ban_state;
    if (state === "DISABLE") set.status = "disabled";
    if (state === "REINSTATE") set.status = "connected";
  }
  return set;
}

/** 2000 -> TIER_2K, the notation of Meta's `whatsapp_business_manager_messaging_limit`. */
function limitTier(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "TIER_UNLIMITED";
  return n >= 1000 && n % 1000 === 0 ? `TIER_${n / 1000}K` : `TIER_${n}`;
}
