import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "WhatsApp AI CRM", template: "%s · WhatsApp AI CRM" },
  description: "A shared WhatsApp inbox for AI and human agents.",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen text-sm">{children}</body>
    </html>
  );
}
