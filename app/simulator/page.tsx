import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { CustomerSimulator } from "@/components/simulator/customer-simulator";
import { env } from "@/lib/env";

export const metadata: Metadata = { title: "Customer simulator" };
export const dynamic = "force-dynamic";

/**
 * Dev and test only: plays a WhatsApp customer against the Graph API simulator, whose messages go
 * through the real webhook route. The page talks to the simulator's control API directly (CORS),
 * so the app itself knows the simulator only as its Graph API base URL.
 */
export default function SimulatorPage() {
  const e = env();
  if (!e.SIMULATOR_ENABLED) notFound();
  return <CustomerSimulator simulatorUrl={e.WHATSAPP_GRAPH_API_URL.replace(/\/+$/, "")} appUrl={e.APP_URL} />;
}
