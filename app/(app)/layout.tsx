import { AppShell } from "@/components/shell/app-shell";
import { IntegrationsBadge } from "@/components/shell/integrations-badge";
import { navFor } from "@/components/shell/nav-items";
import { UserMenu } from "@/components/shell/user-menu";
import { requirePageUser } from "@/lib/auth/session";
import { integrations } from "@/lib/env";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const user = await requirePageUser();
  return (
    <AppShell
      items={navFor(user.role)}
      header={
        <>
          <IntegrationsBadge integrations={integrations()} />
          <UserMenu name={user.name} role={user.role} availability={user.availability} />
        </>
      }
    >
      {children}
    </AppShell>
  );
}
