/** Knowledge-base articles for the demo, so the AI (offline or Gemini) has real answers to give. */
import type { ObjectId } from "mongodb";
import { createArticle } from "@/lib/ai/knowledge";

export const demoArticles = [
  {
    title: "Shipping and delivery times",
    body: "We ship to the United States, Canada, Mexico and the European Union. Orders ship within 1 business day. Delivery takes 2-4 business days in the US, 3-5 business days to Canada and 5-8 business days to Mexico and the EU. Shipping is free on orders over $50; otherwise it costs $5.99. You get a tracking link by WhatsApp and email as soon as the parcel leaves our warehouse.",
  },
  {
    title: "Returns and refunds",
    body: "You can return any unused item within 30 days of delivery. Start a return by sending us your order number; we reply with a prepaid return label. Refunds go back to the original payment method within 5 business days after the return arrives. Sale items can be exchanged but not refunded.",
  },
  {
    title: "Opening hours and store location",
    body: "Our store is at 1 Market St, San Francisco, open Monday to Friday from 9:00 to 18:00 and Saturday from 10:00 to 14:00. Our support team answers WhatsApp messages Monday to Friday, 9:00 to 18:00 Pacific time; the AI assistant answers at any time.",
  },
  {
    title: "Plans and pricing",
    body: "The Basic plan costs $19 per month and includes one WhatsApp number and 3 agents. The Pro plan costs $49 per month with 10 agents, campaigns and AI replies. Enterprise pricing is custom. Every plan has a 14-day free trial and can be cancelled at any time.",
  },
  {
    title: "Payment methods",
    body: "We accept Visa, Mastercard, American Express, PayPal and bank transfer. Invoices are sent by email on the first day of each billing period. Payments are processed securely; we never store full card numbers.",
  },
];

export async function seedKnowledge(orgId: ObjectId) {
  for (const a of demoArticles) await createArticle(orgId, { ...a, active: true });
  return demoArticles.length;
}
