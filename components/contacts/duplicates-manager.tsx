"use client";

import Link from "next/link";
import { useState } from "react";
import useSWR from "swr";
import { Button } from "@/components/ui/button";
import { ErrorText } from "@/components/ui/field";
import type { ContactResponse } from "@/lib/schemas/contact";
import { mergeChoiceFields } from "@/lib/schemas/contact-merge";
import { fetcher, sendJson } from "@/lib/swr/fetcher";
import { useAction } from "@/lib/swr/use-action";

type Group = { reason: string; contacts: ContactResponse[] };
type Field = (typeof mergeChoiceFields)[number];
const fieldLabels: Record<Field, string> = { name: "Name", email: "Email", company: "Company" };

const label = (c: ContactResponse) => c.name ?? c.profileName ?? c.phone ?? (c.username ? `@${c.username}` : "Unnamed");

/** One suggested pair: choose who stays and, where they differ, whose name, email and company to keep. */
function PairCard({ group, canManage, onMerged }: { group: Group; canManage: boolean; onMerged: (mergeId: string, text: string) => void }) {
  const [a, b] = group.contacts as [ContactResponse, ContactResponse];
  const [survivorId, setSurvivorId] = useState(a.id);
  const [keep, setKeep] = useState<Partial<Record<Field, "survivor" | "merged">>>({});
  const { busy, error, run } = useAction();
  const survivor = survivorId === a.id ? a : b;
  const merged = survivorId === a.id ? b : a;
  const differing = mergeChoiceFields.filter((f) => survivor[f] && merged[f] && survivor[f] !== merged[f]);

  async function merge() {
    if (!window.confirm(`Merge “${label(merged)}” into “${label(survivor)}”? Their conversations and history move over. You can undo it for 30 days.`)) return;
    const done = await run(() => sendJson<{ merge: { id: string } }>("/api/contacts/merge", "POST", { survivorId: survivor.id, mergedId: merged.id, keep }));
    if (done) onMerged(done.merge.id, `“${label(merged)}” was merged into “${label(survivor)}”.`);
  }

  return (
    <li className="space-y-3 rounded-lg border border-slate-200 bg-white p-4" data-testid="duplicate-pair">
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500">{group.reason}</p>
      <div className="grid gap-3 sm:grid-cols-2">
        {[a, b].map((c) => (
          <label key={c.id} className={`block cursor-pointer rounded-md p-3 ring-1 ${survivorId === c.id ? "bg-emerald-50 ring-emerald-400" : "ring-slate-200"}`}>
            <input type="radio" name={`survivor-${a.id}`} className="mr-2" checked={survivorId === c.id} onChange={() => setSurvivorId(c.id)} disabled={!canManage} />
            <span className="font-medium">{label(c)}</span> {survivorId === c.id && <span className="text-xs text-emerald-700">(stays)</span>}
            <span className="mt-1 block text-sm text-slate-600">
              {[c.phone ?? (c.username ? `@${c.username}` : null), c.email, c.company].filter(Boolean).join(" · ") || "No details"}
            </span>
            <Link href={`/contacts/${c.id}`} className="text-xs text-brand-700 hover:underline">
              Open
            </Link>
          </label>
        ))}
      </div>
      {canManage && differing.length > 0 && (
        <fieldset className="space-y-1 text-sm">
          <legend className="font-medium text-slate-700">Keep</legend>
          {differing.map((f) => (
            <div key={f} className="flex flex-wrap items-center gap-3">
              <span className="w-20 text-slate-500">{fieldLabels[f]}</span>
              {(["survivor", "merged"] as const).map((side) => (
                <label key={side} className="flex items-center gap-1">
                  <input type="radio" name={`${a.id}-${f}`} checked={(keep[f] ?? "survivor") === side} onChange={() => setKeep({ ...keep, [f]: side })} />
                  {side === "survivor" ? survivor[f] : merged[f]}
                </label>
              ))}
            </div>
          ))}
        </fieldset>
      )}
      <ErrorText>{error}</ErrorText>
      {canManage && (
        <Button onClick={merge} disabled={busy}>
          {busy ? "Merging…" : "Merge"}
        </Button>
      )}
    </li>
  );
}

export function DuplicatesManager({ initial, canManage }: { initial: Group[]; canManage: boolean }) {
  const { data, mutate } = useSWR<{ groups: Group[] }>("/api/contacts/duplicates", fetcher, { fallbackData: { groups: initial } });
  const [done, setDone] = useState<{ id: string; text: string } | null>(null);
  const { error, run } = useAction();
  // Pairs only: a larger group is merged pair by pair (it shows again with the rest).
  const pairs = (data?.groups ?? []).filter((g) => g.contacts.length >= 2).map((g) => ({ ...g, contacts: g.contacts.slice(0, 2) }));

  async function undo() {
    if (!done) return;
    if (await run(() => sendJson(`/api/contacts/merges/${done.id}/undo`, "POST"))) {
      setDone(null);
      await mutate();
    }
  }

  return (
    <div className="max-w-4xl space-y-4">
      <div>
        <Link href="/contacts" className="text-sm text-brand-700 hover:underline">
          ← Contacts
        </Link>
        <h1 className="text-xl font-semibold">Possible duplicates</h1>
        <p className="text-sm text-slate-600">Contacts that share an email, a WhatsApp user id, or a name at the same company.</p>
      </div>
      {done && (
        <div role="status" className="flex items-center justify-between rounded-md bg-emerald-50 p-3 text-sm text-emerald-800">
          <span>{done.text}</span>
          <Button variant="secondary" onClick={undo}>
            Undo
          </Button>
        </div>
      )}
      <ErrorText>{error}</ErrorText>
      {pairs.length === 0 ? (
        <p className="text-sm text-slate-500">No duplicates found.</p>
      ) : (
        <ul className="space-y-3">
          {pairs.map((g) => (
            <PairCard
              key={g.contacts.map((c) => c.id).join("-")}
              group={g}
              canManage={canManage}
              onMerged={(id, text) => {
                setDone({ id, text });
                void mutate();
              }}
            />
          ))}
        </ul>
      )}
    </div>
  );
}
