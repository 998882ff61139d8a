/** Saved replies for the demo, so typing "/" in the composer offers real answers on the first visit. */
import { ObjectId } from "mongodb";
import { scoped } from "@/lib/db/scoped";

export const demoCannedResponses = [
  { shortcut: "hello", title: "Greeting", body: "Hi! Thanks for reaching out. How can I help you today?" },
  { shortcut: "order", title: "Ask for the order number", body: "Could you send me your order number? It is in your confirmation email and starts with #." },
  { shortcut: "shipping", title: "Shipping times", body: "Orders ship within 1 business day. Delivery takes 2-4 business days in the US and 3-5 to Canada; you get a tracking link as soon as the parcel leaves our warehouse." },
  { shortcut: "returns", title: "Returns policy", body: "You can return any unused item within 30 days of delivery. Send us your order number and we reply with a prepaid return label." },
  { shortcut: "checking", title: "Checking with the team", body: "Thanks for your patience! I'm checking this with the team and will get back to you shortly." },
  { shortcut: "thanks", title: "Closing", body: "Glad I could help! Is there anything else I can do for you?" },
];

/** Written directly rather than through createCannedResponse: seeding is not a person's change for the audit log. */
export async function seedCannedResponses(orgId: ObjectId, createdBy: ObjectId, now: Date) {
  await scoped(orgId)("canned_responses").insertMany(demoCannedResponses.map((c) => ({ _id: new ObjectId(), ...c, createdBy, createdAt: now, updatedAt: now })));
  return demoCannedResponses.length;
}
