import { getCountries, type CountryCode } from "libphonenumber-js/min";
import { z } from "zod";

const countries = new Set<string>(getCountries());

/** The default country for phone numbers written without `+code` (contact forms, imports). */
export const countryCode = z
  .string()
  .trim()
  .toUpperCase()
  .refine((c) => countries.has(c), "must be an ISO 3166 alpha-2 country code (e.g. US)")
  .transform((c) => c as CountryCode);
