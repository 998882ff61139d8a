import { MongoClient, type Db } from "mongodb";
import { env } from "@/lib/env";

/**
 * The only place a MongoClient is constructed. One client per process, cached on globalThis so
 * dev hot reloads and warm serverless invocations reuse the pool (next.js examples/with-mongodb).
 * The driver connects on the first operation, so handing out handles is synchronous; a failed
 * connect fails that operation and the next one tries again.
 */
type Cached = { client: MongoClient; dbs: Map<string, Db> };
const globalForMongo = globalThis as unknown as { __mongo?: Cached };

function create(): Cached {
  const { MONGODB_URI, MONGODB_MAX_POOL_SIZE } = env();
  const client = new MongoClient(MONGODB_URI, {
    appName: "whatsapp-ai-crm",
    // Serverless functions are short-lived; a small pool per instance keeps Atlas connection counts sane.
    maxPoolSize: MONGODB_MAX_POOL_SIZE,
    serverSelectionTimeoutMS: 5_000,
  });
  return { client, dbs: new Map() };
}

export function getClient(): MongoClient {
  globalForMongo.__mongo ??= create();
  return globalForMongo.__mongo.client;
}

/** The app's database handle, made once per client (`client.db()` resolves options on every call: measurable on the webhook path). */
export function getDb(): Db {
  const client = getClient();
  const name = env().MONGODB_DB;
  const dbs = globalForMongo.__mongo!.dbs;
  let db = dbs.get(name);
  if (!db) dbs.set(name, (db = client.db(name)));
  return db;
}

export async function closeClient() {
  const cached = globalForMongo.__mongo;
  globalForMongo.__mongo = undefined;
  if (cached) await cached.client.close();
}
