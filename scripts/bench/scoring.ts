/**
 * npm run bench:scoring — the lead scoring measurements of issue 13, in process, on the local
 * database (scripts/lib/local-db.ts: MONGODB_URI if set, else mongodb-memory-server where a mongod
 * can be had, else mongo-java-server's memory backend).
 *
 * 1. Nightly batch: BENCH_CONTACTS contacts (100,000), one conversation each, and BENCH_EVENTS
 *    messages (1,000,000) spread over them and the last 60 days (customer and business turns,
 *    statuses, buying words in some), plus an AI analysis for 5% of the conversations and a campaign
 *    link click for 5% of the contacts. `scoreOrganization` (the `lead-scoring-nightly` run for one
 *    organization) scores them all; with BENCH_SECOND_NIGHT=true a second night over the stored scores
 *    (updates instead of inserts). Floors: the first night < 120 s, resident memory growth < 200 MB (sampled
 *    every 50 ms: one batch is held at a time, so it must not grow with the organization).
 * 2. Incremental: database operations the webhook path gains per inbound message (the debounced
 *    enqueue; floor ≤ 2), and the round trips of one `lead-score` job (reported).
 */
import { ObjectId } from "mongodb";
import { describeDb } from "../lib/local-db";
import { runBench } from "./lib/app-server";
import { startInProcessDatabase } from "./lib/in-process-db";

const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 100_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const FLOOR_SECONDS = 120;
const FLOOR_RSS_MB = 200;
const FLOOR_WEBHOOK_OPS = 2;
const INSERT_BATCH = 10_000;
const DAY = 24 * 3600_000;
const phrases = ["Hi, is this available?", "How much is the premium plan?", "Thanks!", "Can you send me a quote?", "ok", "Where is my order?", "Quiero comprar dos", "See you"];

async function main(): Promise<boolean> {
  const { dbServer, commands } = await startInProcessDatabase("scoring");
  const { ensureIndexes } = await import("@/lib/db/indexes");
  const { rawCollection } = await import("@/lib/db/collections");
  const { ensureDefaultOrganization } = await import("@/lib/setup/default-organization");
  await ensureIndexes();
  const orgId = await ensureDefaultOrganization();

  // --- seed: contacts, conversations, messages, analyses, clicks ---
  console.log(`[bench] database: ${describeDb(dbServer)}; seeding ${CONTACTS.toLocaleString("en")} contacts and ${EVENTS.toLocaleString("en")} messages...`);
  const seedStart = performance.now();
  const now = Date.now();
  const accountId = new ObjectId();
  const campaignId = new ObjectId();
  await rawCollection("campaigns").insertOne({ _id: campaignId, orgId, name: "Bench sale", createdAt: new Date(now), updatedAt: new Date(now) } as never);
  const perContact = Math.max(1, Math.round(EVENTS / CONTACTS));
  let messagesWritten = 0;
  for (let start = 0; start < CONTACTS; start += INSERT_BATCH / perContact) {
    const end = Math.min(CONTACTS, start + INSERT_BATCH / perContact);
    const contacts = [];
    const conversations = [];
    const messages = [];
    const analyses = [];
    const clicks = [];
    for (let i = start; i < end; i++) {
      const contactId = new ObjectId();
      const conversationId = new ObjectId();
      const phone = `+1415${String(1_000_000 + i).padStart(7, "0")}`;
      const lastAt = new Date(now - (i % 60) * DAY);
      contacts.push({
        _id: contactId, orgId, identityKey: phone, phone, waId: phone.slice(1), bsuid: null, username: null, name: `Person ${i}`, profileName: null,
        email: i % 3 === 0 ? `p${i}@example.com` : null, company: i % 4 === 0 ? "Acme" : null, tags: i % 10 === 0 ? ["vip"] : [], customFields: {},
        consent: { state: "opted_in", marketing: true, changedAt: null, source: null }, source: { kind: "whatsapp", referral: null, at: lastAt },
        lastInboundAt: lastAt, searchTokens: [], createdAt: lastAt, updatedAt: lastAt,
      });
      conversations.push({ _id: conversationId, orgId, accountId, contactId, liveKey: `${contactId.toHexString()}:${accountId.toHexString()}`, status: "open", createdAt: lastAt, updatedAt: lastAt });
      for (let k = 0; k < perContact && messagesWritten < EVENTS; k++, messagesWritten++) {
        const inbound = k % 2 === 1;
        const sentAt = new Date(lastAt.getTime() - (perContact - k) * 3 * 3600_000);
        messages.push({
          _id: new ObjectId(), orgId, conversationId, contactId, accountId, key: `bench:${i}:${k}`, waMessageId: null,
          direction: inbound ? "inbound" : "outbound", sender: inbound ? "customer" : "agent", type: "text",
          text: inbound ? phrases[(i + k) % phrases.length] : "Our offer", status: inbound ? null : (i + k) % 3 === 0 ? "delivered" : "read",
          sentAt, createdAt: sentAt, updatedAt: sentAt,
        });
      }
      if (i % 20 === 0) analyses.push({ _id: new ObjectId(), orgId, conversationId, sentiment: 0.3, intents: ["pricing_question"], topics: ["price"], summary: "Asked for prices", satisfaction: null, analyzedAt: lastAt, createdAt: lastAt, updatedAt: lastAt });
      if (i % 20 === 7) clicks.push({ _id: new ObjectId(), orgId, campaignId, contactId, status: "sent", clickedAt: lastAt, createdAt: lastAt, updatedAt: lastAt });
    }
    await rawCollection("contacts").insertMany(contacts as never[]);
    await rawCollection("conversations").insertMany(conversations as never[]);
    await rawCollection("messages").insertMany(messages as never[]);
    if (analyses.length) await rawCollection("conversation_analytics").insertMany(analyses as never[]);
    if (clicks.length) await rawCollection("campaign_recipients").insertMany(clicks as never[]);
  }
  console.log(`  seed                ${((performance.now() - seedStart) / 1000).toFixed(1)} s (${messagesWritten.toLocaleString("en")} messages, ${Math.ceil(CONTACTS / 20).toLocaleString("en")} analyses and clicks)`);

  // --- 1. the nightly batch ---
  const { scoreOrganization } = await import("@/lib/scoring/nightly-job");
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  const result = await scoreOrganization(orgId, { budgetMs: 3_600_000 });
  const seconds = (performance.now() - t0) / 1000;
  // A second night (BENCH_SECOND_NIGHT=true): every score exists now, so this run updates instead of inserting (reported, no floor).
  const t1 = performance.now();
  const second = process.env.BENCH_SECOND_NIGHT === "true" ? await scoreOrganization(orgId, { budgetMs: 3_600_000 }) : null;
  const secondSeconds = (performance.now() - t1) / 1000;
  clearInterval(sampler);
  const growthMb = (peak - baseline) / 1024 / 1024;
  const stored = await rawCollection("lead_scores").countDocuments({ orgId });
  const synced = await rawCollection("contacts").countDocuments({ orgId, leadScore: { $ne: null } });
  console.log(`  nightly batch       ${result.scored.toLocaleString("en")} contacts in ${seconds.toFixed(1)} s = ${Math.round(result.scored / seconds).toLocaleString("en")} contacts/s (${result.batches} batches of 200)`);
  if (second) console.log(`  second night        ${second.scored.toLocaleString("en")} contacts in ${secondSeconds.toFixed(1)} s (${second.changed.toLocaleString("en")} scores changed; updates of existing scores)`);
  console.log(`  resident memory     +${growthMb.toFixed(0)} MB at peak over both nights, over ${(baseline / 1024 / 1024).toFixed(0)} MB before`);
  console.log(`  stored              ${stored.toLocaleString("en")} lead_scores, ${synced.toLocaleString("en")} contacts carry their score`);

  // --- 2. incremental: the webhook path and one lead-score job, counted by the command log ---
  const { scheduleLeadScore } = await import("@/lib/scoring/score-contact-job");
  const { jobRegistry } = await import("@/lib/jobs/registry");
  const { runJob } = await import("@/lib/jobs/run-job");
  const sample = await rawCollection("contacts").find({ orgId }, { projection: { _id: 1 }, limit: 20 }).toArray();
  let webhookOps = 0;
  let jobTrips = 0;
  const jobTimes: number[] = [];
  for (const c of sample) {
    const before = commands();
    await scheduleLeadScore(orgId, c._id, new Date(now - DAY));
    webhookOps = Math.max(webhookOps, commands() - before);
    const beforeJob = commands();
    const t = performance.now();
    await runJob(jobRegistry, "lead-score", { orgId: orgId.toHexString(), contactId: c._id.toHexString() }, { messageId: `bench-${c._id}`, attempt: 1 });
    jobTimes.push(performance.now() - t);
    jobTrips = commands() - beforeJob;
  }
  jobTimes.sort((a, b) => a - b);
  console.log(`  webhook path        +${webhookOps} database operations per inbound message (the debounced enqueue is a publish)`);
  console.log(`  lead-score job      median ${jobTimes[Math.floor(jobTimes.length / 2)]!.toFixed(0)} ms, ${jobTrips} round trips (2 of them the job record in workflow_executions)`);

  const { closeClient } = await import("@/lib/db/client");
  await closeClient();
  const checks: [string, boolean][] = [
    [`nightly batch < ${FLOOR_SECONDS} s: ${seconds.toFixed(1)} s`, seconds < FLOOR_SECONDS],
    [`resident memory growth < ${FLOOR_RSS_MB} MB: ${growthMb.toFixed(0)} MB`, growthMb < FLOOR_RSS_MB],
    [`every contact scored and synced: ${stored} and ${synced} of ${CONTACTS}`, stored === CONTACTS && synced === CONTACTS && result.scored === CONTACTS],
    [`webhook path adds ≤ ${FLOOR_WEBHOOK_OPS} database operations: ${webhookOps}`, webhookOps <= FLOOR_WEBHOOK_OPS],
  ];
  for (const [text, ok] of checks) console.log(`  ${ok ? "PASS" : "FAIL"}  ${text}`);
  console.log(JSON.stringify({ engine: dbServer.engine, contacts: CONTACTS, messages: messagesWritten, seconds: Number(seconds.toFixed(1)), secondNightSeconds: second ? Number(secondSeconds.toFixed(1)) : null, rssGrowthMb: Number(growthMb.toFixed(0)), batches: result.batches, webhookOps, jobRoundTrips: jobTrips }));
  return checks.every(([, ok]) => ok);
}

runBench(main);
