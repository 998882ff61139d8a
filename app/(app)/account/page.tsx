import type { Metadata } from "next";
import { ChangePasswordForm } from "@/components/account/change-password-form";
import { requirePageUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Your account" };

export default async function AccountPage() {
  const user = await requirePageUser();
  return (
    <div className="space-y-4 p-4 sm:p-6">
      <div>
        <h1 className="text-lg font-semibold">Your account</h1>
        <p className="text-sm text-slate-600">
          {user.name} · {user.email}
        </p>
      </div>
      <ChangePasswordForm />
    </div>
  );
}
