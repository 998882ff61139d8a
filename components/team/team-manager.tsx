"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog } from "@/components/ui/dialog";
import { ErrorText, SelectField, TextField } from "@/components/ui/field";
import { roles, type Role } from "@/lib/schemas/common";
import type { UserResponse } from "@/lib/schemas/user";
import { sendJson } from "@/lib/swr/fetcher";
import { useUsers } from "@/lib/swr/use-users";

export function TeamManager({ initialUsers, currentUserId }: { initialUsers: UserResponse[]; currentUserId: string }) {
  const { data, mutate } = useUsers(initialUsers);
  const users = data?.users ?? [];
  const [creating, setCreating] = useState(false);
  const [confirming, setConfirming] = useState<UserResponse | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function patch(user: UserResponse, body: Partial<Pick<UserResponse, "role" | "active">>) {
    setError(null);
    try {
      await sendJson(`/api/users/${user.id}`, "PATCH", body);
      await mutate();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <section className="space-y-4">
      <div className="flex items-center justify-between">
        <div>
          <h1 className="text-xl font-semibold">Team</h1>
          <p className="text-slate-500">{users.length} members. Roles decide what each person can see and do.</p>
        </div>
        <Button onClick={() => setCreating(true)}>Add user</Button>
      </div>
      <ErrorText>{error}</ErrorText>
      <div className="relative overflow-x-auto rounded-lg bg-white ring-1 ring-slate-200">
        <table className="w-full text-left">
          <thead className="border-b border-slate-200 text-xs uppercase text-slate-500">
            <tr>
              <th className="px-4 py-2 font-medium">Name</th>
              <th className="px-4 py-2 font-medium">Email</th>
              <th className="px-4 py-2 font-medium">Role</th>
              <th className="px-4 py-2 font-medium">Availability</th>
              <th className="px-4 py-2 font-medium">Status</th>
              <th className="px-4 py-2 font-medium"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-testid={`user-row-${u.email}`} className="border-b border-slate-100 last:border-0">
                <td className="px-4 py-2 font-medium">{u.name}</td>
                <td className="px-4 py-2 text-slate-600">{u.email}</td>
                <td className="px-4 py-2">
                  <select
                    aria-label={`Role of ${u.name}`}
                    value={u.role}
                    disabled={u.id === currentUserId}
                    onChange={(e) => patch(u, { role: e.target.value as Role })}
                    className="rounded-md border border-slate-300 bg-white px-1.5 py-1 capitalize"
                  >
                    {roles.map((r) => (
                      <option key={r} value={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td className="px-4 py-2 capitalize text-slate-600">{u.availability}</td>
                <td className="px-4 py-2">
                  <span className={`rounded-full px-2 py-0.5 text-xs ${u.active ? "bg-green-50 text-green-700" : "bg-slate-100 text-slate-500"}`}>
                    {u.active ? "Active" : "Deactivated"}
                  </span>
                </td>
                <td className="px-4 py-2 text-right">
                  {u.id !== currentUserId &&
                    (u.active ? (
                      <Button variant="secondary" onClick={() => setConfirming(u)}>Deactivate</Button>
                    ) : (
                      <Button variant="secondary" onClick={() => patch(u, { active: true })}>Reactivate</Button>
                    ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <CreateUserDialog open={creating} onClose={() => setCreating(false)} onCreated={() => mutate()} />
      <Dialog open={!!confirming} onClose={() => setConfirming(null)} title={`Deactivate ${confirming?.name ?? ""}?`}>
        <p className="mb-4 text-slate-600">They are signed out at once and cannot sign in until reactivated. Their conversations stay.</p>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setConfirming(null)}>Cancel</Button>
          <Button
            variant="danger"
            onClick={async () => {
              const u = confirming!;
              setConfirming(null);
              await patch(u, { active: false });
            }}
          >
            Deactivate
          </Button>
        </div>
      </Dialog>
    </section>
  );
}

function CreateUserDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [created, setCreated] = useState<{ email: string; password: string } | null>(null);

  function close() {
    setCreated(null);
    setError(null);
    onClose();
  }

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    setError(null);
    try {
      const res = await sendJson<{ user: UserResponse; oneTimePassword: string }>("/api/users", "POST", {
        name: form.get("name"),
        email: form.get("email"),
        role: form.get("role"),
      });
      setCreated({ email: res.user.email, password: res.oneTimePassword });
      onCreated();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setPending(false);
    }
  }

  return (
    <Dialog open={open} onClose={close} title={created ? "User created" : "Add a user"}>
      {created ? (
        <div className="space-y-3">
          <p className="text-slate-600">Share these sign-in details with them. The password is shown only once.</p>
          <dl className="rounded-md bg-slate-50 p-3 font-mono text-sm">
            <dt className="text-xs text-slate-500">Email</dt>
            <dd data-testid="created-email">{created.email}</dd>
            <dt className="mt-2 text-xs text-slate-500">One-time password</dt>
            <dd data-testid="one-time-password">{created.password}</dd>
          </dl>
          <div className="flex justify-end">
            <Button onClick={close}>Done</Button>
          </div>
        </div>
      ) : (
        <form onSubmit={onSubmit} className="space-y-3">
          <TextField label="Name" name="name" required maxLength={100} />
          <TextField label="Email" name="email" type="email" required />
          <SelectField label="Role" name="role" defaultValue="agent">
            {roles.map((r) => (
              <option key={r} value={r}>{r}</option>
            ))}
          </SelectField>
          <ErrorText>{error}</ErrorText>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={close}>Cancel</Button>
            <Button type="submit" disabled={pending}>{pending ? "Creating…" : "Create user"}</Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
