import type { Metadata } from "next";
import Link from "next/link";
import { settingsFor } from "@/components/shell/nav-items";
import { requirePageUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Settings" };

/** Every setting the signed-in role may open, grouped; the daily work stays in the main navigation. */
export default async function SettingsIndexPage() {
  const user = await requirePageUser();
  const groups = settingsFor(user.role);
  return (
    <section className="mx-auto max-w-4xl space-y-6">
      <h1 className="text-xl font-semibold">Settings</h1>
      {groups.length === 0 ? (
        <p className="rounded-lg bg-white p-6 text-center text-slate-600 ring-1 ring-slate-200">Your role has nothing to set up here. An admin can change the organization&apos;s settings.</p>
      ) : (
        groups.map((g) => (
          <section key={g.title} aria-labelledby={`settings-${g.title}`}>
            <h2 id={`settings-${g.title}`} className="mb-2 text-sm font-semibold uppercase tracking-wide text-slate-500">{g.title}</h2>
            <ul className="grid gap-2 sm:grid-cols-2">
              {g.items.map((i) => {
                const id = `setting-${i.href.replaceAll("/", "-")}`;
                return (
                <li key={i.href}>
                  {/* Named by its label alone; the description is read after it. */}
                  <Link href={i.href} aria-labelledby={`${id}-label`} aria-describedby={`${id}-desc`} className="block h-full rounded-lg bg-white p-3 ring-1 ring-slate-200 hover:ring-brand-500 focus-visible:ring-2 focus-visible:ring-brand-600">
                    <span id={`${id}-label`} className="font-medium text-slate-900">{i.label}</span>
                    <span id={`${id}-desc`} className="mt-0.5 block text-sm text-slate-600">{i.description}</span>
                  </Link>
                </li>
                );
              })}
            </ul>
          </section>
        ))
      )}
    </section>
  );
}
