"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { ErrorText, TextField } from "@/components/ui/field";
import { sendJson } from "@/lib/swr/fetcher";

const browserTimeZone = () => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
};

export function SetupForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [withNumber, setWithNumber] = useState(true);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const text = (name: string) => String(f.get(name) ?? "");
    const body = {
      token: text("token"),
      organization: { name: text("orgName"), timezone: text("timezone") },
      admin: { name: text("adminName"), email: text("email"), password: text("password") },
      whatsapp: withNumber ? { phoneNumberId: text("phoneNumberId"), wabaId: text("wabaId"), displayPhoneNumber: text("displayPhoneNumber") } : null,
    };
    setPending(true);
    setError(null);
    try {
      await sendJson("/api/setup", "POST", body);
      const res = await signIn("credentials", { email: body.admin.email, password: body.admin.password, redirect: false });
      if (!res || res.error) {
        router.replace("/sign-in");
        return;
      }
      router.replace("/");
      router.refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : "Setup failed; try again.");
      setPending(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="space-y-5" aria-label="First-run setup" noValidate>
      <TextField label="Setup token" name="token" autoComplete="off" required autoFocus />
      <fieldset className="space-y-3">
        <legend className="mb-1 font-medium text-slate-900">Organization</legend>
        <TextField label="Name" name="orgName" autoComplete="organization" required />
        <TextField label="Time zone" name="timezone" defaultValue={browserTimeZone()} required />
      </fieldset>
      <fieldset className="space-y-3">
        <legend className="mb-1 font-medium text-slate-900">First admin</legend>
        <TextField label="Your name" name="adminName" autoComplete="name" required />
        <TextField label="Email" name="email" type="email" autoComplete="username" required />
        <TextField label="Password (at least 12 characters)" name="password" type="password" autoComplete="new-password" minLength={12} required />
      </fieldset>
      <fieldset className="space-y-3">
        <legend className="mb-1 font-medium text-slate-900">WhatsApp number</legend>
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" checked={withNumber} onChange={(e) => setWithNumber(e.target.checked)} />
          Connect a WhatsApp Business number now (from Meta&apos;s WhatsApp Manager)
        </label>
        {withNumber && (
          <>
            <TextField label="Phone number ID" name="phoneNumberId" inputMode="numeric" required />
            <TextField label="WhatsApp Business Account ID" name="wabaId" inputMode="numeric" required />
            <TextField label="Display phone number (optional)" name="displayPhoneNumber" placeholder="+1 555 010 0000" />
          </>
        )}
      </fieldset>
      <ErrorText>{error}</ErrorText>
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Setting up…" : "Create organization and admin"}
      </Button>
    </form>
  );
}
