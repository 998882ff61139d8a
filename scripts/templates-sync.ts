/**
 * npm run templates:sync: pulls every WhatsApp account's message templates from Meta (or the
 * simulator) into the database. Uses the same configuration as the app (.env files, MONGODB_URI).
 */
import { loadDevEnv } from "./lib/dev-env";

async function main() {
  loadDevEnv();
  const { rawCollection } = await import("@/lib/db/collections");
  const { syncTemplates } = await import("@/lib/whatsapp/templates");
  const accounts = await rawCollection("whatsapp_accounts").find({}).toArray();
  if (accounts.length === 0) console.log("[templates:sync] no WhatsApp accounts in the database");
  for (const a of accounts) {
    const r = await syncTemplates(a.orgId, a._id);
    console.log(`[templates:sync] ${a.displayPhoneNumber || a.phoneNumberId}: ${r.total} templates (${r.created} new, ${r.updated} changed, ${r.removed} removed at Meta)`);
  }
}

main()
  .catch((err) => {
    console.error(`[templates:sync] failed: ${err instanceof Error ? err.message : err}`);
    process.exitCode = 1;
  })
  .finally(async () => (await import("@/lib/db/client")).closeClient());
