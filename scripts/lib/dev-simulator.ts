import { startGraphSimulator, type GraphSimulatorHandle } from "../../tests/fakes/graph-simulator";
import { DEMO_PHONE_NUMBER_ID } from "../seed/demo-data";

const DEMO_WABA_ID = "102290129340398";
const PREFERRED_PORT = 4010;

/**
 * With no WHATSAPP_ACCESS_TOKEN, `npm run dev` plays Meta locally: the Graph API simulator takes the
 * sends, posts signed status webhooks back to the app, and the /simulator page plays the customer.
 * Sets the WHATSAPP_* variables the app reads, so this must run before anything calls env().
 */
export async function startDevSimulator(appUrl: string): Promise<GraphSimulatorHandle> {
  Object.assign(process.env, {
    WHATSAPP_ACCESS_TOKEN: "dev-simulator-access-token",
    WHATSAPP_APP_SECRET: process.env.WHATSAPP_APP_SECRET || "dev-simulator-app-secret",
    WHATSAPP_VERIFY_TOKEN: process.env.WHATSAPP_VERIFY_TOKEN || "dev-simulator-verify-token",
    WHATSAPP_PHONE_NUMBER_ID: DEMO_PHONE_NUMBER_ID,
    WHATSAPP_BUSINESS_ACCOUNT_ID: DEMO_WABA_ID,
    SIMULATOR_ENABLED: "true",
  });
  const options = {
    webhookUrl: `${appUrl}/api/webhooks/whatsapp`,
    appSecret: process.env.WHATSAPP_APP_SECRET!,
    accessToken: process.env.WHATSAPP_ACCESS_TOKEN!,
    phoneNumberId: DEMO_PHONE_NUMBER_ID,
    wabaId: DEMO_WABA_ID,
    displayPhoneNumber: "+1 555 0100",
    statusDelayMs: 800,
  };
  // 4010 when free (a stable URL across restarts), else any free port.
  const sim = await startGraphSimulator({ ...options, port: PREFERRED_PORT }).catch(() => startGraphSimulator({ ...options, port: 0 }));
  process.env.WHATSAPP_GRAPH_API_URL = sim.url;
  return sim;
}

/**
 * The simulator starts empty each time; tell it which demo customers wrote recently (so replies
 * inside their 24-hour window are accepted, as Meta would) and pull its templates into the database.
 */
export async function primeDevSimulator(sim: GraphSimulatorHandle) {
  const { rawCollection } = await import("@/lib/db/collections");
  const { syncTemplates } = await import("@/lib/whatsapp/templates");
  const since = new Date(Date.now() - 24 * 60 * 60 * 1000);
  const contacts = await rawCollection("contacts").find({ lastInboundAt: { $gt: since }, waId: { $ne: null } }).toArray();
  for (const c of contacts) {
    sim.sim.customer(c.waId!, c.name ?? undefined);
    sim.sim.setLastInbound(c.waId!, c.lastInboundAt);
  }
  const account = await rawCollection("whatsapp_accounts").findOne({ phoneNumberId: DEMO_PHONE_NUMBER_ID });
  if (account) await syncTemplates(account.orgId, account._id);
}
