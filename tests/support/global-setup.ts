import { randomBytes } from "node:crypto";
import { MongoClient } from "mongodb";
import type { TestProject } from "vitest/node";
import { startLocalDatabase, type LocalDb } from "../../scripts/lib/local-db";

declare module "vitest" {
  export interface ProvidedContext {
    mongoUri: string;
    testDbPrefix: string;
  }
}

let db: LocalDb | undefined;
const prefix = `test_${randomBytes(3).toString("hex")}_`;

/** One database server for the run (the one `npm test` started, or a throwaway one); each file gets its own database. */
export async function setup(project: TestProject) {
  db = await startLocalDatabase({ persistent: false });
  project.provide("mongoUri", db.uri);
  project.provide("testDbPrefix", prefix);
}

/**
 * The run's databases are dropped here, after every worker has exited, not at the end of each file:
 * a file's in-process background jobs can still be finishing when it ends.
 */
export async function teardown() {
  if (db) {
    const client = await MongoClient.connect(db.uri);
    try {
      const { databases } = await client.db("admin").command({ listDatabases: 1, nameOnly: true });
      for (const { name } of databases as { name: string }[]) if (name.startsWith(prefix)) await client.db(name).dropDatabase();
    } finally {
      await client.close();
    }
  }
  await db?.stop();
}
