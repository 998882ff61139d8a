import { SettingsBreadcrumb } from "@/components/shell/settings-breadcrumb";

/** Each settings page checks its own permission; this only adds the way back to the index. */
export default function SettingsLayout({ children }: { children: React.ReactNode }) {
  return (
    <>
      <SettingsBreadcrumb />
      {children}
    </>
  );
}
