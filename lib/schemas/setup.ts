import { z } from "zod";
import { timeZoneInput } from "./settings";

const digits = (what: string) => z.string().trim().regex(/^\d{5,20}$/, `${what} is the number Meta shows for it (digits only)`);

/** The first-run form (`/setup`): the organization, its first admin and its WhatsApp number. */
export const firstRunSetupBody = z.strictObject({
  token: z.string().trim().min(1, "Enter the setup token from the server log (or SETUP_TOKEN)").max(200),
  organization: z.strictObject({
    name: z.string().trim().min(1, "The organization needs a name").max(100),
    timezone: timeZoneInput,
  }),
  admin: z.strictObject({
    name: z.string().trim().min(1, "The admin needs a name").max(100),
    email: z.email("The admin's email is not a valid address").max(254).transform((s) => s.toLowerCase()),
    password: z.string().min(12, "The password needs at least 12 characters").max(200),
  }),
  whatsapp: z
    .strictObject({
      phoneNumberId: digits("The phone number ID"),
      wabaId: digits("The WhatsApp Business Account ID"),
      displayPhoneNumber: z.string().trim().max(30).default(""),
    })
    .nullable(),
});
export type FirstRunSetupBody = z.output<typeof firstRunSetupBody>;
