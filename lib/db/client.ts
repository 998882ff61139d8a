import { MongoClient, type Db } from "mongodb";
import { env } from "@/lib/env";

/**
 * The only place a MongoClient is constructed. One client per process, cached on globalThis so
 * dev hot reloads and warm serverless invocations reuse the pool (next.js examples/with-mongodb).
 */
const globalForMongo = globalThis as unknown as { __mongo?: { client: MongoClient; connecting: Promise<MongoClient>; dbs: Map<string, Db> } };

function create() {
  const { MONGODB_URI } = env();
  const client = new MongoClient(MONGODB_URI, {
    appName: "whatsapp-ai-crm",
    // Serverless functions are short-lived; a small pool per instance keeps Atlas connection counts sane.
    maxPoolSize: Number(process.env.MONGODB_MAX_POOL_SIZE ?? 20),
    serverSelectionTimeoutMS: 5_000,
  });
  return { client, connecting: client.connect(), dbs: new Map<string, Db>() };
}

export async function getClient(): Promise<MongoClient> {
  globalForMongo.__mongo ??= create();
  try {
    return await globalForMongo.__mongo.connecting;
  } catch (err) {
    // Do not cache a failed connect: the next request tries again.
    globalForMongo.__mongo = undefined;
    throw err;
  }
}

/** The app's database handle, made once per client (`client.db()` resolves options on every call: measurable on the webhook path). */
export async function getDb(): Promise<Db> {
  const client = await getClient();
  const name = env().MONGODB_DB;
  const dbs = globalForMongo.__mongo?.dbs;
  let db = dbs?.get(name);
  if (!db) {
    db = client.db(name);
    dbs?.set(name, db);
  }
  return db;
}

export async function closeClient() {
  const cached = globalForMongo.__mongo;
  globalForMongo.__mongo = undefined;
  if (cached) await (await cached.connecting.catch(() => cached.client)).close();
}
