import { IntegrationsBadge } from "@/components/shell/integrations-badge";
import { NavLinks } from "@/components/shell/nav-links";
import { navItems } from "@/components/shell/nav-items";
import { UserMenu } from "@/components/shell/user-menu";
import { can } from "@/lib/auth/permissions";
import { requirePageUser } from "@/lib/auth/session";
import { integrations } from "@/lib/env";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const user = await requirePageUser();
  const items = navItems.filter((i) => !i.permission || can(user.role, i.permission));
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <nav aria-label="Main" className="border-b border-slate-200 bg-white p-3 md:w-52 md:border-b-0 md:border-r">
        <div className="mb-3 px-3 text-base font-semibold text-brand-700">WhatsApp AI CRM</div>
        <NavLinks items={items.map(({ href, label }) => ({ href, label }))} />
      </nav>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-200 bg-white px-4 py-2">
          <IntegrationsBadge integrations={integrations()} />
          <UserMenu name={user.name} role={user.role} availability={user.availability} />
        </header>
        <main className="min-w-0 flex-1 p-4 md:p-6">{children}</main>
      </div>
    </div>
  );
}
