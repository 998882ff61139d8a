"use client";

import { signOut } from "next-auth/react";
import { useId, useState } from "react";
import { sendJson } from "@/lib/swr/fetcher";
import { MIN_PASSWORD } from "@/lib/schemas/user";

const fieldLabels: Record<string, string> = { currentPassword: "Current password", newPassword: "New password" };

/** "newPassword: must be ..." from the API reads as "New password: must be ...". */
function readable(message: string) {
  const [path, ...rest] = message.split(": ");
  return fieldLabels[path!] && rest.length ? `${fieldLabels[path!]}: ${rest.join(": ")}` : message;
}

/** Changing the password ends every session, this one too: the person signs in again with the new one. */
export function ChangePasswordForm() {
  const [currentPassword, setCurrent] = useState("");
  const [newPassword, setNew] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const hintId = useId();

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    if (newPassword !== confirm) return setError("The new password and its confirmation differ.");
    setBusy(true);
    try {
      await sendJson("/api/me/password", "POST", { currentPassword, newPassword });
      // The session is already over on the server; this clears the cookie and shows the sign-in page.
      await signOut({ callbackUrl: "/sign-in?passwordChanged=1" });
    } catch (err) {
      setError(readable((err as Error).message));
      setBusy(false);
    }
  }

  const input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm";
  return (
    <form onSubmit={submit} aria-label="Change password" className="max-w-md space-y-4 rounded-lg border border-slate-200 bg-white p-4">
      <h2 className="text-base font-semibold">Change password</h2>
      <p className="text-sm text-slate-600">You will be signed out everywhere, this browser included, and sign in again with the new password.</p>
      <label className="block text-sm font-medium text-slate-700">
        Current password
        <input type="password" autoComplete="current-password" required value={currentPassword} onChange={(e) => setCurrent(e.target.value)} className={input} />
      </label>
      {/* The hint sits outside the label so the field's name stays "New password"; it is its description. */}
      <div>
        <label className="block text-sm font-medium text-slate-700">
          New password
          <input
            type="password"
            autoComplete="new-password"
            required
            minLength={MIN_PASSWORD}
            aria-describedby={hintId}
            value={newPassword}
            onChange={(e) => setNew(e.target.value)}
            className={input}
          />
        </label>
        <p id={hintId} className="mt-1 text-xs text-slate-500">
          At least {MIN_PASSWORD} characters.
        </p>
      </div>
      <label className="block text-sm font-medium text-slate-700">
        Confirm new password
        <input type="password" autoComplete="new-password" required value={confirm} onChange={(e) => setConfirm(e.target.value)} className={input} />
      </label>
      {error && (
        <p role="alert" className="text-sm text-red-600">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy} className="rounded-md bg-emerald-600 px-4 py-2 text-sm font-medium text-white hover:bg-emerald-700 disabled:opacity-60">
        {busy ? "Changing…" : "Change password"}
      </button>
    </form>
  );
}
