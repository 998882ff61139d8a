import type { ObjectId } from "mongodb";
import { verifyPassword } from "@/lib/auth/password";
import { rawCollection } from "@/lib/db/collections";
import type { DemoDataState } from "@/lib/schemas/platform";

export type DemoSignIn = { email: string; password: string };

/**
 * The demo admin's sign-in for the sign-in page, when the demo seed loaded this database (it
 * leaves a `demo_data` mark; a production install starts from /setup and has none). Shown only
 * while that user is active and still has the published password, so an installation whose admin
 * changed it, or that never had demo data, shows nothing.
 */
export async function demoSignIn(): Promise<DemoSignIn | null> {
  // The driver's WithId<> of a union loses the _id discriminant: the filter already picked the kind.
  const mark = (await rawCollection("platform_state").findOne({ _id: "demo_data" })) as DemoDataState | null;
  if (!mark) return null;
  const user = await rawCollection("users").findOne({ email: mark.signIn.email }, { projection: { active: 1, passwordHash: 1 } });
  if (!user?.active || !(await verifyPassword(mark.signIn.password, user.passwordHash))) return null;
  return mark.signIn;
}

/** Written by the demo seed, next to the data it seeded. */
export async function markDemoData(orgId: ObjectId, signIn: DemoSignIn): Promise<void> {
  await rawCollection("platform_state").updateOne(
    { _id: "demo_data" },
    { $set: { orgId, signIn, seededAt: new Date() } },
    { upsert: true },
  );
}
