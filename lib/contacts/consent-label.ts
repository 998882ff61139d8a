import type { ContactResponse } from "@/lib/schemas/contact";

type Consent = ContactResponse["consent"];
export type ConsentTone = "positive" | "negative" | "neutral";

/**
 * How a contact's consent reads to a person (client-safe). A contact nobody asked yet has no record
 * and no marketing opt-in: that is "not opted in", not "stopped", which only an opt-out causes
 * (all messages, or the marketing channel of someone still opted in).
 */
export function describeConsent(c: Consent): { state: string; marketing: string; tone: ConsentTone } {
  if (c.state === "opted_out") return { state: "Opted out", marketing: "marketing stopped", tone: "negative" };
  if (c.state === "opted_in") return { state: "Opted in", marketing: c.marketing ? "marketing allowed" : "marketing stopped", tone: c.marketing ? "positive" : "neutral" };
  if (c.marketing) return { state: "Marketing opt-in only", marketing: "marketing allowed", tone: "positive" };
  if (c.changedAt) return { state: "No consent recorded", marketing: "marketing stopped", tone: "neutral" };
  return { state: "No consent recorded", marketing: "no marketing opt-in yet", tone: "neutral" };
}
