import { z } from "zod";
import { idString } from "./common";
import { customFieldValues, tagList } from "./contact";
import { countryCode } from "./country";
import { segmentGroup, type SegmentGroup } from "./segment";

/** Sort orders of the contacts directory (lib/contacts/directory.ts gives each its index). */
export const contactSortNames = ["newest", "oldest", "recent_activity", "name", "lead_score"] as const;

/**
 * A filter travels in the URL as base64url JSON of a segment definition, so a filtered list can be
 * bookmarked and shared. Decoded and validated here; the compiler checks fields and operators.
 */
const filterParam = z
  .string()
  .max(8_000, "the filter is too long")
  .transform((s, ctx): SegmentGroup | null => {
    let json: unknown;
    try {
      json = decodeFilter(s);
    } catch {
      ctx.addIssue({ code: "custom", message: "is not a valid filter (base64url JSON of a segment definition)" });
      return z.NEVER;
    }
    const parsed = segmentGroup.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      ctx.addIssue({ code: "custom", message: `${issue.path.join(".") || "filter"}: ${issue.message}` });
      return z.NEVER;
    }
    return parsed.data;
  });

export const contactListQuery = z.object({
  q: z.string().trim().max(100).optional().transform((q) => q || undefined),
  sort: z.enum(contactSortNames).default("newest"),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  filter: filterParam.optional(),
  segmentId: idString.optional(),
});
/** After the route resolves `filter` / `segmentId` into one definition. */
export type ContactListQuery = Omit<z.output<typeof contactListQuery>, "filter" | "segmentId"> & { definition: SegmentGroup | null };

/** base64url of UTF-8 JSON, in the browser and on the server alike (no Buffer: this file is shared with client components). */
export function encodeFilter(definition: SegmentGroup): string {
  const bytes = new TextEncoder().encode(JSON.stringify(definition));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeFilter(s: string): unknown {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
}

export const createContactBody = z
  .strictObject({
    phone: z.string().trim().max(40).optional(),
    defaultCountry: countryCode.nullable().optional(),
    bsuid: z.string().trim().min(3).max(128).optional(),
    name: z.string().trim().max(100).optional(),
    email: z.email("must be a valid email address").max(254).transform((s) => s.toLowerCase()).optional(),
    company: z.string().trim().max(100).optional(),
    tags: tagList.optional(),
    customFields: customFieldValues.optional(),
  })
  .refine((b) => !!b.phone !== !!b.bsuid, "Give a phone number or a WhatsApp user id (one of them)");
export type CreateContactBody = z.output<typeof createContactBody>;

/** The directory's query string in one canonical form (server render and client agree on it). */
export function contactListSearch(p: { q?: string | null; sort?: string | null; filter?: string | null; segmentId?: string | null }): string {
  const out = new URLSearchParams();
  if (p.q) out.set("q", p.q);
  if (p.sort && p.sort !== "newest") out.set("sort", p.sort);
  if (p.filter) out.set("filter", p.filter);
  if (p.segmentId) out.set("segmentId", p.segmentId);
  return out.toString();
}
