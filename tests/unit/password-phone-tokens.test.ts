import { describe, expect, it } from "vitest";
import { generatePassword, hashPassword, verifyPassword } from "@/lib/auth/password";
import { toE164 } from "@/lib/phone";
import { queryTokens, searchTokens } from "@/lib/search/tokens";

describe("passwords", () => {
  it("hashes with a salt and verifies only the right password", async () => {
    const a = await hashPassword("s3cret pass");
    const b = await hashPassword("s3cret pass");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("s3cret");
    expect(await verifyPassword("s3cret pass", a)).toBe(true);
    expect(await verifyPassword("s3cret pasS", a)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
  });
  it("generates distinct 16-character one-time passwords", () => {
    const p = generatePassword();
    expect(p).toHaveLength(16);
    expect(generatePassword()).not.toBe(p);
  });
});

describe("phone numbers", () => {
  it.each([
    ["16505551234", "+16505551234"],
    ["+1 (650) 555-1234", "+16505551234"],
    ["5491123456789", "+5491123456789"],
    ["447700900123", "+447700900123"],
  ])("normalises %s to %s", (input, expected) => expect(toE164(input)).toBe(expected));
  it("uses the default country for local numbers", () => expect(toE164("020 7946 0018", "GB")).toBe("+442079460018"));
  it("rejects what is not a phone number", () => {
    expect(toE164("hello")).toBeNull();
    expect(toE164("12")).toBeNull();
    expect(toE164("")).toBeNull();
  });
});

describe("search tokens", () => {
  it("indexes words, accents folded, with prefixes", () => {
    const t = searchTokens("José Müller", "+14155551000");
    expect(t).toEqual(expect.arrayContaining(["jose", "jos", "muller", "mul", "14155551000", "141"]));
  });
  it("matches a query by every token", () => {
    const doc = new Set(searchTokens("Refund for order 1042 please"));
    expect(queryTokens("refund ORDER").every((q) => doc.has(q))).toBe(true);
    expect(queryTokens("refu").every((q) => doc.has(q))).toBe(true);
    expect(queryTokens("shipping").every((q) => doc.has(q))).toBe(false);
  });
  it("treats phone-like queries as digits", () => expect(queryTokens("+1 415-555")).toEqual(["1415555"]));
});
