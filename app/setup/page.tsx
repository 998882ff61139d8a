import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { SetupForm } from "@/components/setup/setup-form";
import { needsFirstRunSetup } from "@/lib/setup/first-run";

export const metadata: Metadata = { title: "Set up" };
export const dynamic = "force-dynamic";

/** First-run setup: exists only while the database has no user (then it is a 404 for good). */
export default async function SetupPage() {
  if (!(await needsFirstRunSetup())) notFound();
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-lg rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
        <h1 className="text-lg font-semibold">Set up your WhatsApp AI CRM</h1>
        <p className="mb-5 text-slate-500">
          Create your organization and its first admin. The setup token is printed in the server log when the server starts (or is the
          value of <code>SETUP_TOKEN</code>).
        </p>
        <SetupForm />
      </div>
    </main>
  );
}
