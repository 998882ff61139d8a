import { createHmac, timingSafeEqual } from "node:crypto";
import { ObjectId } from "mongodb";
import { ApiError, isDuplicateKeyError } from "@/lib/api/errors";
import { recordActivity } from "@/lib/audit/audit";
import { rawCollection } from "@/lib/db/collections";
import { env } from "@/lib/env";
import type { FirstRunSetupBody } from "@/lib/schemas/setup";
import { createUser } from "@/lib/team/users";
import { createOrganization } from "./create-organization";

/** A claim older than this with nothing completed is a setup that crashed: another attempt may take it over. */
const CLAIM_TIMEOUT_MS = 2 * 60_000;
const CLAIM_ID = "first_run_setup" as const;

/** True while the database has no user at all: the only time `/setup` exists. */
export async function needsFirstRunSetup(): Promise<boolean> {
  return (await rawCollection("users").findOne({}, { projection: { _id: 1 } })) === null;
}

/**
 * SETUP_TOKEN, or one derived from NEXTAUTH_SECRET: the same on every server instance and restart
 * (each serverless instance logs the one the operator will type), useless once a user exists.
 */
export function setupToken(): string {
  const e = env();
  return e.SETUP_TOKEN ?? createHmac("sha256", e.NEXTAUTH_SECRET).update("first-run-setup").digest("base64url").slice(0, 24);
}

function tokenMatches(given: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(setupToken());
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Creates the organization, its first admin and its WhatsApp number, once. Exactly one setup runs
 * (a unique claim); its writes are upserts keyed by unique values, so a setup that crashed half way
 * can be run again after CLAIM_TIMEOUT_MS and finishes what the first one started.
 */
export async function completeFirstRunSetup(body: FirstRunSetupBody): Promise<{ orgId: ObjectId; userId: ObjectId }> {
  if (!tokenMatches(body.token)) throw new ApiError("forbidden", "The setup token is not right. Copy it from the server log, or use SETUP_TOKEN.");
  if (!(await needsFirstRunSetup())) throw new ApiError("not_found", "This installation is already set up; sign in instead");

  const state = rawCollection("platform_state");
  const now = new Date();
  const claimId = new ObjectId();
  let resumeOrgId: ObjectId | null = null;
  try {
    await state.insertOne({ _id: CLAIM_ID, claimId, claimedAt: now, orgId: null, userId: null, completedAt: null });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const taken = await state.findOneAndUpdate(
      { _id: CLAIM_ID, completedAt: null, claimedAt: { $lt: new Date(now.getTime() - CLAIM_TIMEOUT_MS) } },
      { $set: { claimId, claimedAt: now } },
      { returnDocument: "after" },
    );
    if (!taken) throw new ApiError("conflict", "Setup is already in progress; wait a moment and reload the page");
    resumeOrgId = taken.orgId;
  }

  const orgId =
    resumeOrgId ??
    (await createOrganization({ name: body.organization.name, slug: slugOf(body.organization.name), timezone: body.organization.timezone, whatsapp: body.whatsapp }));
  await state.updateOne({ _id: CLAIM_ID, claimId }, { $set: { orgId } });
  const user = await createUser(orgId, { email: body.admin.email, name: body.admin.name, role: "admin", password: body.admin.password, createdBy: null });
  await state.updateOne({ _id: CLAIM_ID, claimId }, { $set: { userId: user._id, completedAt: new Date() } });
  await recordActivity(orgId, { id: user._id, name: user.name }, {
    action: "organization.setup_completed",
    entityType: "organization",
    entityId: orgId,
    after: { organization: body.organization.name, admin: user.email, whatsappNumber: body.whatsapp?.phoneNumberId ?? null },
  });
  return { orgId, userId: user._id };
}

function slugOf(name: string): string {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return slug || "organization";
}
