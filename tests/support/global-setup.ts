import type { TestProject } from "vitest/node";
import { startLocalDatabase, type LocalDb } from "../../scripts/lib/local-db";

declare module "vitest" {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

let db: LocalDb | undefined;

/** One database server for the run (the one `npm test` started, or a throwaway one); each file gets its own database. */
export async function setup(project: TestProject) {
  db = await startLocalDatabase({ persistent: false });
  project.provide("mongoUri", db.uri);
}

export async function teardown() {
  await db?.stop();
}
