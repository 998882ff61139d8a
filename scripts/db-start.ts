/** npm run db:start: starts the local database alone (for running `next start` or scripts against it). */
import { describeDb, startLocalDatabase } from "./lib/local-db";

startLocalDatabase({ persistent: true })
  .then((db) => {
    console.log(`[db] ${describeDb(db)}; MONGODB_URI=${db.uri}`);
    console.log("[db] press Ctrl+C to stop");
    const stop = () => db.stop().then(() => process.exit(0));
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  })
  .catch((err) => {
    console.error(`[db] ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  });
