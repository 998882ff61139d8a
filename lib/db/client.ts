import { MongoClient, type Db } from "mongodb";
import { env } from "@/lib/env";
import { attachCommandLog, currentScope } from "./command-log";

/**
 * The only place a MongoClient is constructed. Two pools per process, cached on globalThis so dev
 * hot reloads and warm serverless invocations reuse them (next.js examples/with-mongodb): one for
 * requests and a smaller one for background jobs, chosen by the work scope (`withCommandScope`:
 * runJob runs every job as "job:<name>"), so a burst of jobs on the in-process driver can never hold
 * the connections a request needs. The driver connects on the first operation, so handing out
 * handles is synchronous; a failed connect fails that operation and the next one tries again.
 */
type Pool = { client: MongoClient; dbs: Map<string, Db> };
type Cached = { requests?: Pool; jobs?: Pool };
const globalForMongo = globalThis as unknown as { __mongo?: Cached };

function create(kind: keyof Cached): Pool {
  const { MONGODB_URI, MONGODB_MAX_POOL_SIZE, MONGODB_JOB_POOL_SIZE, MONGODB_SERVER_SELECTION_TIMEOUT_MS, DB_COMMAND_LOG } = env();
  const client = new MongoClient(MONGODB_URI, {
    appName: kind === "jobs" ? "whatsapp-ai-crm-jobs" : "whatsapp-ai-crm",
    // Serverless functions are short-lived; a small pool per instance keeps Atlas connection counts sane.
    maxPoolSize: kind === "jobs" ? MONGODB_JOB_POOL_SIZE : MONGODB_MAX_POOL_SIZE,
    // Short enough that a webhook answers 503 well inside Meta's delivery timeout while Atlas fails over.
    serverSelectionTimeoutMS: MONGODB_SERVER_SELECTION_TIMEOUT_MS,
    // Only test and benchmark runs record commands: monitoring makes the driver decode every reply twice.
    monitorCommands: DB_COMMAND_LOG !== undefined,
  });
  if (DB_COMMAND_LOG) attachCommandLog(client, DB_COMMAND_LOG);
  return { client, dbs: new Map() };
}

function pool(): Pool {
  const cached = (globalForMongo.__mongo ??= {});
  const kind = currentScope()?.startsWith("job:") ? "jobs" : "requests";
  return (cached[kind] ??= create(kind));
}

/** The client of the current work: the request pool, or the jobs pool inside a job. */
export function getClient(): MongoClient {
  return pool().client;
}

/** The app's database handle, made once per client (`client.db()` resolves options on every call: measurable on the webhook path). */
export function getDb(): Db {
  const { client, dbs } = pool();
  const name = env().MONGODB_DB;
  let db = dbs.get(name);
  if (!db) dbs.set(name, (db = client.db(name)));
  return db;
}

export async function closeClient() {
  const cached = globalForMongo.__mongo;
  globalForMongo.__mongo = undefined;
  await Promise.all([cached?.requests?.client.close(), cached?.jobs?.client.close()]);
}
