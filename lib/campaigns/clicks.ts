import { rawCollection } from "@/lib/db/collections";
import { recordClick } from "./outcomes";
import { readClickToken } from "./recipient-rules";

/**
 * A tracked URL button: the token names the recipient (and is MAC'd, so a guessed id is refused);
 * the destination is the link the campaign mapped to that button. Looked up by primary key across
 * organizations, because the link is all the customer's phone sends; everything after the lookup
 * is scoped to the recipient's organization.
 */
export async function followTrackedLink(token: string): Promise<string | null> {
  const id = readClickToken(token);
  if (!id) return null;
  const r = await rawCollection("campaign_recipients").findOne({ _id: id }, { projection: { orgId: 1, campaignId: 1, variant: 1, values: 1 } });
  if (!r) return null;
  const c = await rawCollection("campaigns").findOne({ _id: r.campaignId, orgId: r.orgId }, { projection: { variants: 1 } });
  const variant = c?.variants.find((v) => v.key === r.variant);
  const slot = Object.entries(r.values).find(([, value]) => value === token)?.[0];
  const source = slot ? variant?.variables[slot] : undefined;
  if (source?.source !== "tracked_link") return null;
  await recordClick(r.orgId, r._id, new Date());
  return source.url;
}
