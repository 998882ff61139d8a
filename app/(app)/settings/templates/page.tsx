import { redirect } from "next/navigation";

/** Templates moved to /templates (marketers manage them too); old links and bookmarks land there, which checks access itself. */
export default function SettingsTemplatesPage() {
  redirect("/templates");
}
