"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { ErrorText, TextField } from "@/components/ui/field";
import type { KnowledgeArticleResponse } from "@/lib/schemas/ai";
import { sendJson } from "@/lib/swr/fetcher";
import { useKnowledgeArticles } from "@/lib/swr/use-knowledge-articles";

type Draft = { id: string | null; title: string; body: string };

export function KnowledgeManager({ initialArticles }: { initialArticles: KnowledgeArticleResponse[] }) {
  const { data, mutate } = useKnowledgeArticles(initialArticles);
  const articles = data?.articles ?? [];
  const [draft, setDraft] = useState<Draft | null>(null);
  const [deleting, setDeleting] = useState<KnowledgeArticleResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<unknown>) {
    setError(null);
    setBusy(true);
    try {
      await action();
      await mutate();
      return true;
    } catch (err) {
      setError((err as Error).message);
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function save() {
    if (!draft) return;
    const body = { title: draft.title, body: draft.body };
    const ok = await run(() => (draft.id ? sendJson(`/api/knowledge-articles/${draft.id}`, "PATCH", body) : sendJson("/api/knowledge-articles", "POST", body)));
    if (ok) setDraft(null);
  }

  return (
    <section className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h1 className="text-xl font-semibold">Knowledge base</h1>
          <p className="text-slate-500">The AI answers customers only from these articles; the run log shows which ones it used.</p>
        </div>
        <Button onClick={() => setDraft({ id: null, title: "", body: "" })}>Add article</Button>
      </div>
      {!draft && <ErrorText>{error}</ErrorText>}
      {articles.length === 0 ? (
        <p className="rounded-lg bg-white p-6 text-center text-slate-500 ring-1 ring-slate-200">
          No articles yet. Add your shipping, returns, pricing and opening-hours answers so the AI can use them.
        </p>
      ) : (
        <ul className="divide-y divide-slate-100 rounded-lg bg-white ring-1 ring-slate-200">
          {articles.map((a) => (
            <li key={a.id} data-testid={`article-${a.id}`} className="flex flex-wrap items-start gap-3 px-4 py-3">
              <div className="min-w-0 flex-1">
                <div className="flex items-center gap-2">
                  <h2 className="font-medium">{a.title}</h2>
                  {!a.active && <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-500">Inactive</span>}
                </div>
                <p className="line-clamp-2 text-sm text-slate-600">{a.body}</p>
              </div>
              <div className="flex gap-2">
                <Button variant="secondary" onClick={() => run(() => sendJson(`/api/knowledge-articles/${a.id}`, "PATCH", { active: !a.active }))} disabled={busy}>
                  {a.active ? "Deactivate" : "Activate"}
                </Button>
                <Button variant="secondary" onClick={() => setDraft({ id: a.id, title: a.title, body: a.body })}>Edit</Button>
                <Button variant="ghost" onClick={() => setDeleting(a)}>Delete</Button>
              </div>
            </li>
          ))}
        </ul>
      )}

      <Dialog open={!!draft} onClose={() => setDraft(null)} title={draft?.id ? "Edit article" : "Add article"}>
        {draft && (
          <form
            className="space-y-3"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <TextField label="Title" value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} required maxLength={200} />
            <label className="block text-sm font-medium text-slate-700">
              Answer
              <textarea
                className="mt-1 block h-48 w-full rounded-md border border-slate-300 px-2.5 py-1.5 text-sm shadow-sm"
                value={draft.body}
                onChange={(e) => setDraft({ ...draft, body: e.target.value })}
                required
                maxLength={20000}
              />
            </label>
            <ErrorText>{error}</ErrorText>
            <div className="flex justify-end gap-2">
              <Button type="button" variant="secondary" onClick={() => setDraft(null)}>Cancel</Button>
              <Button type="submit" disabled={busy}>Save</Button>
            </div>
          </form>
        )}
      </Dialog>

      <Dialog open={!!deleting} onClose={() => setDeleting(null)} title="Delete article?">
        <p className="mb-4 text-sm text-slate-600">The AI stops using “{deleting?.title}” at once. This cannot be undone.</p>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setDeleting(null)}>Cancel</Button>
          <Button
            variant="danger"
            disabled={busy}
            onClick={async () => {
              const target = deleting;
              setDeleting(null);
              if (target) await run(() => sendJson(`/api/knowledge-articles/${target.id}`, "DELETE"));
            }}
          >
            Delete
          </Button>
        </div>
      </Dialog>
    </section>
  );
}
