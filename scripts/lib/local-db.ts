/**
 * The one place that chooses the database for dev, tests and benchmarks (ARCHITECTURE.md section 4):
 *   1. MONGODB_URI set            -> use it (Atlas or any MongoDB)
 *   2. a mongod can be had         -> mongodb-memory-server (MONGOMS_SYSTEM_BINARY honoured, else download)
 *   3. otherwise (offline, CI)     -> mongo-java-server (scripts/mongo-java-server): memory backend for
 *                                     tests and benchmarks, H2 file for dev; oplog on; 127.0.0.1 only
 * Whichever it starts, it says so (`describeDb`); the product code is the same plain MongoDB for all.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { createServer, connect } from "node:net";
import path from "node:path";

export type LocalDb = { uri: string; engine: "external" | "mongodb-memory-server" | "mongo-java-server"; stop: () => Promise<void> };

const ROOT = path.resolve(__dirname, "../..");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: "127.0.0.1", port });
    sock.once("connect", () => (sock.destroy(), resolve(true)));
    sock.once("error", () => resolve(false));
  });
}

async function mongodDownloadReachable(): Promise<boolean> {
  if (process.env.MONGOMS_SYSTEM_BINARY) return true;
  try {
    const res = await fetch("https://fastdl.mongodb.org/", { method: "HEAD", signal: AbortSignal.timeout(3000) });
    return res.status < 500;
  } catch {
    return false;
  }
}

async function startMemoryServer(persistDir?: string): Promise<LocalDb> {
  const { MongoMemoryServer } = await import("mongodb-memory-server-core");
  if (persistDir) mkdirSync(persistDir, { recursive: true });
  const server = await MongoMemoryServer.create({
    instance: { ip: "127.0.0.1", dbPath: persistDir, storageEngine: persistDir ? "wiredTiger" : "ephemeralForTest" },
  });
  return { uri: server.getUri(), engine: "mongodb-memory-server", stop: async () => void (await server.stop()) };
}

const MJS_DIR = path.join(ROOT, "scripts/mongo-java-server");
const MJS_JAR = path.join(MJS_DIR, "target/local-mongo-1.jar");

/**
 * Builds the mongo-java-server launcher once (`mvn package` fetches its jars from Maven Central).
 * A machine without Java 17+ and Maven gets a message naming what to install.
 */
export function ensureMongoJavaServer(): string {
  if (existsSync(MJS_JAR) && existsSync(path.join(MJS_DIR, "target/lib"))) return MJS_JAR;
  for (const [tool, hint] of [
    ["java", "a Java 17+ runtime (Debian: apt-get install openjdk-17-jre-headless)"],
    ["mvn", "Maven (Debian: apt-get install maven)"],
  ] as const) {
    if (spawnSync(tool, ["-version"], { stdio: "ignore" }).error) {
      throw new Error(`no MongoDB: set MONGODB_URI, or install ${hint} for the local mongo-java-server`);
    }
  }
  console.log("[db] building the local mongo-java-server (first run only; Maven fetches its jars)...");
  const res = spawnSync("mvn", ["-q", "-B", "-f", path.join(MJS_DIR, "pom.xml"), "package", "-DskipTests"], { stdio: "inherit" });
  if (res.status !== 0) throw new Error("could not build the local mongo-java-server; see Maven's output above");
  return MJS_JAR;
}

/**
 * mongo-java-server: the memory backend for tests and benchmarks, the H2 backend (a file under
 * .data/) for `npm run dev`; oplog on. Resolves once the server prints that it listens. Exported for
 * the outage test, which stops and restarts its own server on one port and H2 file.
 */
export async function startMongoJavaServer(opts: { port?: number; h2File?: string }): Promise<LocalDb> {
  const jar = ensureMongoJavaServer();
  if (opts.port && (await portOpen(opts.port))) {
    // A server left running by an earlier `npm run dev` on the same fixed port: reuse it.
    return { uri: uriFor(opts.port), engine: "mongo-java-server", stop: async () => {} };
  }
  if (opts.h2File) mkdirSync(path.dirname(opts.h2File), { recursive: true });
  const args = ["-Xss4m", "-cp", `${jar}${path.delimiter}${path.join(path.dirname(jar), "lib/*")}`, "crm.LocalMongo", "--port", String(opts.port ?? 0)];
  if (opts.h2File) args.push("--h2", opts.h2File);
  // stdin stays a pipe: when this process dies, the server sees it close and exits too.
  const child = spawn("java", args, { stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("mongo-java-server did not start within 60 s")), 60_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`mongo-java-server exited early with code ${code}`));
    });
  });
  child.stdout!.resume();
  return {
    uri: uriFor(port),
    engine: "mongo-java-server",
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

const uriFor = (port: number) => `mongodb://127.0.0.1:${port}/?directConnection=true`;

/**
 * `persistent`: dev keeps its data under .data/ on a fixed port; tests and benchmarks get a
 * throwaway server on a free port.
 */
export async function startLocalDatabase(opts: { persistent: boolean }): Promise<LocalDb> {
  if (process.env.MONGODB_URI) return { uri: process.env.MONGODB_URI, engine: "external", stop: async () => {} };
  if (await mongodDownloadReachable()) {
    try {
      return await startMemoryServer(opts.persistent ? path.join(ROOT, ".data/mongod") : undefined);
    } catch (err) {
      console.warn(`[db] mongodb-memory-server unavailable (${(err as Error).message}); falling back to mongo-java-server`);
    }
  }
  return startMongoJavaServer(opts.persistent ? { port: 27117, h2File: path.join(ROOT, ".data/mongo-java-server/dev.mv.db") } : {});
}

export function describeDb(db: LocalDb) {
  return db.engine === "external" ? "the database at MONGODB_URI" : `${db.engine} at ${db.uri}`;
}
