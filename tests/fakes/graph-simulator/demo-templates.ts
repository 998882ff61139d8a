/** Templates every simulated WABA starts with: a few APPROVED ones (positional and named parameters) and one REJECTED. */
export type SimTemplate = {
  id: string;
  name: string;
  language: string;
  status: string;
  category: string;
  parameter_format: "POSITIONAL" | "NAMED";
  components: Record<string, unknown>[];
  rejected_reason: string;
  quality_score: { score: string };
};

export function demoTemplates(): SimTemplate[] {
  return [
    {
      id: "1180434096952351",
      name: "hello_world",
      language: "en_US",
      status: "APPROVED",
      category: "UTILITY",
      parameter_format: "POSITIONAL",
      components: [
        { type: "HEADER", format: "TEXT", text: "Hello World" },
        { type: "BODY", text: "Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta." },
        { type: "FOOTER", text: "WhatsApp Business Platform sample message" },
      ],
      rejected_reason: "NONE",
      quality_score: { score: "GREEN" },
    },
    {
      id: "1689556908129832",
      name: "order_shipped",
      language: "en_US",
      status: "APPROVED",
      category: "UTILITY",
      parameter_format: "POSITIONAL",
      components: [
        { type: "BODY", text: "Hi {{1}}, your order {{2}} has shipped and should arrive by {{3}}.", example: { body_text: [["Maria", "#1042", "Friday"]] } },
        { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Track order" }, { type: "QUICK_REPLY", text: "Talk to someone" }] },
      ],
      rejected_reason: "NONE",
      quality_score: { score: "GREEN" },
    },
    {
      id: "2070356316784120",
      name: "welcome_offer",
      language: "en_US",
      status: "APPROVED",
      category: "MARKETING",
      parameter_format: "POSITIONAL",
      components: [
        { type: "HEADER", format: "TEXT", text: "Welcome!" },
        { type: "BODY", text: "Hi {{1}}, enjoy {{2}} off your first order with code {{3}}.", example: { body_text: [["Maria", "15%", "HELLO15"]] } },
        { type: "FOOTER", text: "Reply STOP to opt out" },
        { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Shop now" }, { type: "QUICK_REPLY", text: "Stop promotions" }] },
      ],
      rejected_reason: "NONE",
      quality_score: { score: "GREEN" },
    },
    {
      id: "785563441069532",
      name: "appointment_reminder",
      language: "en_US",
      status: "APPROVED",
      category: "UTILITY",
      parameter_format: "NAMED",
      components: [
        {
          type: "BODY",
          text: "Hello {{customer_name}}, this is a reminder of your appointment on {{date}}. Reply to confirm or reschedule.",
          example: { body_text_named_params: [{ param_name: "customer_name", example: "Maria" }, { param_name: "date", example: "June 3 at 10:00" }] },
        },
        { type: "BUTTONS", buttons: [{ type: "QUICK_REPLY", text: "Confirm" }, { type: "QUICK_REPLY", text: "Reschedule" }] },
      ],
      rejected_reason: "NONE",
      quality_score: { score: "GREEN" },
    },
    {
      id: "1021938273645012",
      name: "flash_sale_blast",
      language: "en_US",
      status: "REJECTED",
      category: "MARKETING",
      parameter_format: "POSITIONAL",
      components: [{ type: "BODY", text: "LAST CHANCE!!! Everything must go, click now {{1}}" }],
      rejected_reason: "PROMOTIONAL",
      quality_score: { score: "UNKNOWN" },
    },
  ];
}

/** The body text with its parameters filled in, as the customer's phone shows it. */
export function renderTemplate(template: SimTemplate, components: unknown[] | undefined): string {
  const body = template.components.find((c) => c.type === "BODY");
  let text = typeof body?.text === "string" ? body.text : "";
  const params = ((components ?? []) as { type?: string; parameters?: { type?: string; text?: string; parameter_name?: string }[] }[])
    .find((c) => c.type === "body")?.parameters ?? [];
  params.forEach((p, i) => {
    const value = p.text ?? "";
    text = p.parameter_name ? text.replaceAll(`{{${p.parameter_name}}}`, value) : text.replaceAll(`{{${i + 1}}}`, value);
  });
  return text;
}

/** Number of body placeholders, to reject a send with the wrong parameter count (132000) like Meta. */
export function bodyParamCount(template: SimTemplate): number {
  const body = template.components.find((c) => c.type === "BODY");
  const text = typeof body?.text === "string" ? body.text : "";
  return new Set(text.match(/\{\{\s*[\w]+\s*\}\}/g) ?? []).size;
}
