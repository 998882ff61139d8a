/**
 * The one place that chooses the database for dev, tests and benchmarks (ARCHITECTURE.md section 4):
 *   1. MONGODB_URI set            -> use it (Atlas or any MongoDB)
 *   2. a mongod can be had         -> mongodb-memory-server (MONGOMS_SYSTEM_BINARY honoured, else download)
 *   3. otherwise (offline, CI)     -> FerretDB v1.24 with SQLite on 127.0.0.1, telemetry off
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export type LocalDb = { uri: string; engine: "external" | "mongodb-memory-server" | "ferretdb"; stop: () => Promise<void> };

const ROOT = path.resolve(__dirname, "../..");
const FERRETDB_BIN = path.join(ROOT, ".data/bin/ferretdb");

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

async function waitForPort(port: number, child: ChildProcess, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`database exited early with code ${child.exitCode}`);
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`database did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
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

export function ensureFerretDbBinary() {
  if (existsSync(FERRETDB_BIN)) return FERRETDB_BIN;
  console.log("[db] building FerretDB (first run only, about a minute)...");
  const res = spawnSync("bash", [path.join(ROOT, "scripts/install-ferretdb.sh")], { stdio: "inherit" });
  if (res.status !== 0) throw new Error("could not build FerretDB; see the output above");
  return FERRETDB_BIN;
}

async function startFerretDb(opts: { port?: number; stateDir?: string }): Promise<LocalDb> {
  const bin = ensureFerretDbBinary();
  const port = opts.port ?? (await freePort());
  const uri = `mongodb://127.0.0.1:${port}/`;
  if (opts.port && (await portOpen(port))) {
    // A FerretDB left running by an earlier `npm run dev` on the same fixed port: reuse it.
    return { uri, engine: "ferretdb", stop: async () => {} };
  }
  const ephemeral = !opts.stateDir;
  const stateDir = opts.stateDir ?? mkdtempSync(path.join(tmpdir(), "crm-ferretdb-"));
  mkdirSync(path.join(stateDir, "sqlite"), { recursive: true });
  const child = spawn(
    bin,
    [
      "--handler=sqlite",
      `--sqlite-url=file:${path.join(stateDir, "sqlite")}/`,
      `--state-dir=${stateDir}`,
      `--listen-addr=127.0.0.1:${port}`,
      "--debug-addr=-",
      "--telemetry=disable",
      "--log-level=error",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  await waitForPort(port, child);
  return {
    uri,
    engine: "ferretdb",
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      if (ephemeral) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

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
      console.warn(`[db] mongodb-memory-server unavailable (${(err as Error).message}); falling back to FerretDB`);
    }
  }
  return startFerretDb(opts.persistent ? { port: 27117, stateDir: path.join(ROOT, ".data/ferretdb") } : {});
}

export function describeDb(db: LocalDb) {
  return db.engine === "external" ? "the database at MONGODB_URI" : `${db.engine} at ${db.uri}`;
}
