/**
 * FerretDB for load tests, started with its debug handler on so its own Prometheus counters
 * (`ferretdb_client_requests_total{command=...}`) can count the database operations an app makes.
 * Backend: PostgreSQL when its binaries are installed (Debian's `postgresql` package), because the
 * SQLite backend has one writer and answers concurrent writes with SQLITE_BUSY errors; else SQLite.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, appendFileSync, mkdirSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureFerretDbBinary, freePort } from "../../lib/local-db";

export type BenchDb = {
  uri: string;
  backend: "postgresql" | "sqlite";
  commands: () => Promise<Record<string, number>>;
  /** PostgreSQL backend only: see `indexesForPushdown`. A no-op on SQLite. */
  indexForPushdown: (dbName: string) => void;
  stop: () => Promise<void>;
};

/** Commands that touch data; driver handshakes and monitoring (hello, ping, endSessions...) are not counted. */
export const DATA_COMMANDS = ["insert", "update", "delete", "find", "findAndModify", "aggregate", "count", "getMore", "distinct"];

function pgBin(name: string): string | null {
  const onPath = spawnSync("bash", ["-lc", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
  if (onPath) return onPath;
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return null;
  for (const v of readdirSync(base).sort().reverse()) if (existsSync(path.join(base, v, "bin", name))) return path.join(base, v, "bin", name);
  return null;
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });

async function waitForPort(port: number, what: string) {
  for (let i = 0; i < 300; i++) {
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port}`);
}

export async function startBenchDb(): Promise<BenchDb> {
  const bin = ensureFerretDbBinary();
  const dir = mkdtempSync(path.join(tmpdir(), "crm-bench-db-"));
  const stops: (() => Promise<void> | void)[] = [];
  let backendArgs: string[];
  let backend: BenchDb["backend"];
  let indexForPushdown: BenchDb["indexForPushdown"] = () => {};
  const initdb = pgBin("initdb");
  const pgCtl = pgBin("pg_ctl");
  if (initdb && pgCtl) {
    backend = "postgresql";
    const pgPort = await freePort();
    // PostgreSQL refuses to run as root; the Debian package's `postgres` user runs it then.
    const asRoot = process.getuid?.() === 0;
    const run = (cmd: string, args: string[]) => {
      const r = asRoot ? spawnSync("runuser", ["-u", "postgres", "--", cmd, ...args], { encoding: "utf8" }) : spawnSync(cmd, args, { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`${path.basename(cmd)} failed: ${r.stderr || r.stdout}`);
    };
    const data = path.join(dir, "pg");
    mkdirSync(data);
    if (asRoot) spawnSync("chown", ["-R", "postgres", dir]);
    run(initdb, ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
    // A throwaway benchmark database: commits need not wait for the disk (the app's round trips are what is measured).
    appendFileSync(path.join(data, "postgresql.conf"), `\nlisten_addresses = '127.0.0.1'\nport = ${pgPort}\nunix_socket_directories = '${dir}'\nsynchronous_commit = off\nshared_buffers = 256MB\nmax_connections = 200\n`);
    run(pgCtl, ["-D", data, "-l", path.join(dir, "pg.log"), "-w", "start"]);
    stops.push(() => void spawnSync(asRoot ? "runuser" : pgCtl, asRoot ? ["-u", "postgres", "--", pgCtl, "-D", data, "-m", "fast", "stop"] : ["-D", data, "-m", "fast", "stop"]));
    indexForPushdown = (dbName) => {
      const r = spawnSync(pgBin("psql") ?? "psql", ["-h", "127.0.0.1", "-p", String(pgPort), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", pushdownIndexesSql(dbName)], { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`creating pushdown indexes failed: ${r.stderr || r.stdout}`);
    };
    backendArgs = ["--handler=postgresql", `--postgresql-url=postgres://postgres@127.0.0.1:${pgPort}/postgres?pool_max_conns=40`];
  } else {
    backend = "sqlite";
    mkdirSync(path.join(dir, "sqlite"));
    backendArgs = ["--handler=sqlite", `--sqlite-url=file:${path.join(dir, "sqlite")}/`];
  }
  const [port, debugPort] = [await freePort(), await freePort()];
  const child = spawn(bin, [...backendArgs, `--state-dir=${dir}`, `--listen-addr=127.0.0.1:${port}`, `--debug-addr=127.0.0.1:${debugPort}`, "--telemetry=disable", "--log-level=error"], { stdio: ["ignore", "ignore", "inherit"] });
  await waitForPort(port, "FerretDB");
  const commands = async () => {
    const text = await (await fetch(`http://127.0.0.1:${debugPort}/debug/metrics`)).text();
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^ferretdb_client_requests_total\{command="([^"]+)"[^}]*\} (\d+)/gm)) out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
    return out;
  };
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    backend,
    commands,
    indexForPushdown,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      for (const s of stops.reverse()) await s();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Data commands between two counter snapshots. */
export function dataOps(before: Record<string, number>, after: Record<string, number>): number {
  return DATA_COMMANDS.reduce((n, c) => n + ((after[c] ?? 0) - (before[c] ?? 0)), 0);
}

/**
 * FerretDB v1 creates each declared index as a PostgreSQL btree on `(_jsonb->'field')`, but the
 * filters it pushes down are `_jsonb->'field' @> 'value'`, which a btree cannot answer: every
 * query, even by `_id`, is a sequential scan (1.7 s for one thread over 500,000 messages here).
 * A GIN index on the same expression answers `@>` (0.2 ms), so for every top-level field of every
 * index the app declares (`lib/db/indexes.ts`) this adds one. The app's own query shapes are what
 * make them usable: equality on top-level fields, which FerretDB pushes down; on MongoDB/Atlas the
 * declared compound indexes serve the same queries directly. `orgId` is left out: it leads every
 * tenant index, matches the whole (single) organization here, and PostgreSQL, which has no
 * statistics for `@>`, would read its full posting list in every query.
 */
export function pushdownIndexesSql(dbName: string): string {
  return `DO $$
DECLARE r record; f text;
BEGIN
  FOR r IN SELECT _jsonb->>'table' AS t, _jsonb->'indexes' AS idx FROM ${pgIdent(dbName)}._ferretdb_database_metadata LOOP
    FOR f IN SELECT DISTINCT k FROM jsonb_array_elements(r.idx) AS i, jsonb_object_keys(i->'key') AS k WHERE position('.' in k) = 0 AND k <> 'orgId' LOOP
      EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %I.%I USING gin ((_jsonb->%L))', left(r.t, 40) || '_pushdown_' || left(md5(f), 8), ${pgLiteral(dbName)}, r.t, f);
    END LOOP;
  END LOOP;
END $$;
ANALYZE;`;
}

const pgIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
const pgLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`;
