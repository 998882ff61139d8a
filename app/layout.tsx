import type { Metadata } from "next";
import { connection } from "next/server";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "WhatsApp AI CRM", template: "%s · WhatsApp AI CRM" },
  description: "A shared WhatsApp inbox for AI and human agents.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page renders per request: proxy.ts gives each one a fresh CSP nonce, which Next puts on
  // its scripts only while rendering (a prerendered page's scripts would have none and be blocked).
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen text-sm">{children}</body>
    </html>
  );
}
