/** npm run seed: fills an empty database with demo data (refuses to touch a database that has users). */
import { closeClient } from "@/lib/db/client";
import { ensureIndexes } from "@/lib/db/indexes";
import { DEMO_PASSWORD, demoUsers, isEmpty, seedDemoData } from "./seed/demo-data";

async function main() {
  await ensureIndexes();
  if (!(await isEmpty())) {
    console.log("[seed] the database already has users; nothing to do");
    return;
  }
  const r = await seedDemoData();
  console.log(`[seed] demo data: ${r.users} users, ${r.contacts} contacts, ${r.conversations} conversations, ${r.messages} messages`);
  console.log(`[seed] sign in as ${demoUsers[0]!.email} / ${DEMO_PASSWORD} (every demo user has this password)`);
}

main()
  .catch((err) => {
    console.error(`[seed] failed: ${err instanceof Error ? err.message : err}`);
    process.exitCode = 1;
  })
  .finally(() => closeClient());
