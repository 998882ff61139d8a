import type { Metadata } from "next";
import Link from "next/link";
import { SignInForm } from "@/components/shell/sign-in-form";
import { demoSignIn } from "@/lib/setup/demo-sign-in";
import { needsFirstRunSetup } from "@/lib/setup/first-run";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; passwordChanged?: string }> }) {
  const { callbackUrl, passwordChanged } = await searchParams;
  // Only same-site paths: an open redirect through callbackUrl would be a phishing aid.
  const target = callbackUrl?.startsWith("/") && !callbackUrl.startsWith("//") ? callbackUrl : "/";
  const [firstRun, demo] = await Promise.all([needsFirstRunSetup().catch(() => false), demoSignIn().catch(() => null)]);
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
        <h1 className="text-lg font-semibold">Sign in</h1>
        <p className="mb-5 text-slate-500">WhatsApp AI CRM</p>
        {passwordChanged && (
          <p role="status" className="mb-4 rounded-md bg-emerald-50 px-3 py-2 text-emerald-800">
            Your password was changed and you were signed out everywhere. Sign in with the new password.
          </p>
        )}
        {firstRun && (
          <p role="status" className="mb-4 rounded-md bg-amber-50 px-3 py-2 text-amber-800">
            No one can sign in yet: this installation has no users.{" "}
            <Link href="/setup" className="font-medium underline">
              Set it up
            </Link>
            .
          </p>
        )}
        {demo && (
          <section aria-label="Demo sign-in" className="mb-4 rounded-md bg-sky-50 px-3 py-2 text-sky-900 ring-1 ring-sky-200">
            <p className="font-medium">Demo data is loaded</p>
            <p className="text-sm">
              Sign in as <code className="font-mono">{demo.email}</code> with the password <code className="font-mono">{demo.password}</code>. The other demo users
              (supervisor@, agent1@, agent2@, viewer@example.com) have the same password.
            </p>
          </section>
        )}
        <SignInForm callbackUrl={target} />
      </div>
    </main>
  );
}
