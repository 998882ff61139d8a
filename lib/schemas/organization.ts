import { z } from "zod";
import { objectId } from "./common";

export const organizationDoc = z.object({
  _id: objectId,
  name: z.string(),
  slug: z.string(),
  timezone: z.string(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type OrganizationDoc = z.infer<typeof organizationDoc>;
