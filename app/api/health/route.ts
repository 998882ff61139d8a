// GET /api/health: pings the database and reports the version (public; no data)
import { getDb } from "@/lib/db/client";
import { integrations } from "@/lib/env";
import pkg from "@/package.json";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export async function GET() {
  const started = performance.now();
  try {
    await getDb().command({ ping: 1 });
    return Response.json({
      status: "ok",
      version: pkg.version,
      database: { ok: true, latencyMs: Math.round(performance.now() - started) },
      integrations: integrations(),
    });
  } catch {
    return Response.json(
      { status: "degraded", version: pkg.version, database: { ok: false }, error: { code: "service_unavailable", message: "The database is not reachable" } },
      { status: 503 },
    );
  }
}
