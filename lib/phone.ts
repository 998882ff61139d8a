import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js/max";

/**
 * E.164 normalisation with libphonenumber. Meta's `wa_id` has no "+", so it is parsed as
 * international; a local number needs the caller's default country.
 */
export function toE164(input: string, defaultCountry?: CountryCode): string | null {
  const trimmed = input.trim();
  if (!trimmed) return null;
  const candidate = /^\d+$/.test(trimmed) && !defaultCountry ? `+${trimmed}` : trimmed;
  const parsed = parsePhoneNumberFromString(candidate, defaultCountry);
  // isPossible, not isValid: Meta's docs and fixtures use numbers (e.g. +1 650 555 xxxx) that are
  // possible but not assigned; rejecting them would drop real traffic on new number ranges.
  return parsed?.isPossible() ? parsed.number : null;
}
