import type { Client } from "@upstash/qstash";
import { jobRegistry } from "./registry";
import { schedules as declared, type ScheduleSpec } from "./schedules";

export type ScheduleSyncReport = { created: string[]; updated: string[]; unchanged: string[]; deleted: string[] };

/** The cron route a schedule calls. */
export function cronUrl(name: string, appUrl: string): string {
  return new URL(`/api/cron/${name}`, appUrl).toString();
}

/**
 * Derived from the name and the deployment's host, so staging and production can share one QStash
 * account without overwriting each other's schedules.
 */
export function scheduleId(name: string, appUrl: string): string {
  const host = new URL(appUrl).host.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  return `crm-${host}-${name}`;
}

/**
 * Makes QStash's schedules for this deployment equal to the declared list, idempotently: creates the
 * missing, overwrites the changed (creating with an existing id replaces it), leaves the equal alone,
 * and deletes every other schedule that calls this deployment's cron routes. Schedules pointing
 * elsewhere are never touched.
 */
export async function syncSchedules(opts: { client: Client; appUrl: string; list?: ScheduleSpec[] }): Promise<ScheduleSyncReport> {
  const { client, appUrl } = opts;
  const list = opts.list ?? declared;
  const report: ScheduleSyncReport = { created: [], updated: [], unchanged: [], deleted: [] };
  const existing = await client.schedules.list();
  const ours = new URL("/api/cron/", appUrl).toString();
  const wanted = new Set<string>();
  for (const spec of list) {
    const id = scheduleId(spec.name, appUrl);
    const destination = cronUrl(spec.name, appUrl);
    const retries = jobRegistry.get(spec.job)?.retries ?? 3;
    wanted.add(id);
    const current = existing.find((s) => s.scheduleId === id);
    if (current && current.cron === spec.cron && current.destination === destination && current.retries === retries && !current.isPaused) {
      report.unchanged.push(spec.name);
      continue;
    }
    await client.schedules.create({ scheduleId: id, destination, cron: spec.cron, retries, method: "POST" });
    (current ? report.updated : report.created).push(spec.name);
  }
  for (const s of existing) {
    if (s.destination.startsWith(ours) && !wanted.has(s.scheduleId)) {
      await client.schedules.delete(s.scheduleId);
      report.deleted.push(s.scheduleId);
    }
  }
  return report;
}
