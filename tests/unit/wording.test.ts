import { describe, expect, it } from "vitest";
import { describeConsent } from "@/lib/contacts/consent-label";
import { sinceLabel } from "@/lib/inbox/format";

const now = new Date("2026-12-04T12:00:00Z").getTime();
const ago = (ms: number) => new Date(now - ms).toISOString();

describe("sinceLabel: a phrase for 'changed …'", () => {
  it.each([
    [ago(20_000), "just now"],
    [ago(5 * 60_000), "5 min ago"],
    [ago(3 * 3600_000), "3 h ago"],
    [ago(30 * 3600_000), "yesterday"],
    [ago(3 * 86400_000), "3 days ago"],
  ])("%s reads %s", (iso, label) => expect(sinceLabel(iso, now)).toBe(label));

  it("gives a date, never 'Oct 24 ago', after a week", () => {
    const label = sinceLabel("2026-10-24T10:00:00Z", now);
    expect(label).toMatch(/^on /);
    expect(label).not.toMatch(/ago/);
    expect(sinceLabel("2025-10-24T10:00:00Z", now)).toMatch(/2025/);
  });
});

describe("describeConsent", () => {
  const base = { changedAt: null, source: null };
  it.each([
    [{ ...base, state: "unknown", marketing: false }, { state: "No consent recorded", marketing: "no marketing opt-in yet" }],
    [{ ...base, state: "opted_in", marketing: true }, { state: "Opted in", marketing: "marketing allowed" }],
    [{ state: "opted_in", marketing: false, changedAt: ago(1000), source: "keyword" }, { state: "Opted in", marketing: "marketing stopped" }],
    [{ state: "opted_out", marketing: false, changedAt: ago(1000), source: "keyword" }, { state: "Opted out", marketing: "marketing stopped" }],
    [{ state: "unknown", marketing: true, changedAt: ago(1000), source: "user_preferences_webhook" }, { state: "Marketing opt-in only", marketing: "marketing allowed" }],
  ] as const)("%o", (consent, expected) => expect(describeConsent(consent)).toMatchObject(expected));
});
