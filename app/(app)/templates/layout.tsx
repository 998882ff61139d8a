import { SettingsBreadcrumb } from "@/components/shell/settings-breadcrumb";

/** Listed among the settings (components/shell/nav-items.ts): the page checks its own permission; this adds the way back. */
export default function TemplatesLayout({ children }: { children: React.ReactNode }) {
  return (
    <>
      <SettingsBreadcrumb />
      {children}
    </>
  );
}
