/**
 * The variables of a WhatsApp template and the `components` of a send that fills them: the one
 * reading of Meta's component shapes, used by the builder's linter and preview, the campaign
 * composer's variable mapping and the campaign sender.
 *
 * Where variables can be (Meta, "Template components"): a TEXT header (one), the body (many), a URL
 * button's URL (one, at the end) and a copy-code button's code. A media header takes a link or a
 * media id at send time. Positional templates number them {{1}}, {{2}}...; named ones use
 * {{snake_case}} names.
 */
export type TemplateComponent = Record<string, unknown>;

export type TemplateSlot = {
  /**
   * Stable id within the template: `header:1`, `body:2`, `body:first_name`, `button:0:1`, `header:media`,
   * `button:1:code`. No dots: ids are keys of stored documents and request bodies (lib/db/safe-keys.ts).
   */
  id: string;
  component: "header" | "body" | "button";
  /** The placeholder's number or name (`1`, `first_name`); for a media header or a copy-code button, the kind. */
  key: string;
  /** What a person reads in the mapping form: "Body {{1}}", "Header image", "Button 1 URL suffix". */
  label: string;
  kind: "text" | "media" | "coupon_code";
  /** For a media header: image, video or document. */
  mediaType?: "image" | "video" | "document";
  buttonIndex?: number;
};

export type TemplateShape = { components: TemplateComponent[]; parameterFormat: "positional" | "named" };

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/** Every placeholder occurrence with where it sits in the text (the linter checks positions: start, end, adjacent). */
export function placeholderSpans(text: string): { key: string; start: number; end: number }[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => ({ key: m[1]!, start: m.index, end: m.index + m[0].length }));
}

/** The placeholders of a text in order of first appearance, each once. */
export function placeholders(text: string): string[] {
  const seen: string[] = [];
  for (const { key } of placeholderSpans(text)) if (!seen.includes(key)) seen.push(key);
  return seen;
}

const upper = (v: unknown) => String(v ?? "").toUpperCase();
const textOf = (c: TemplateComponent | undefined) => (typeof c?.text === "string" ? c.text : "");

export function componentOf(components: TemplateComponent[], type: "HEADER" | "BODY" | "FOOTER" | "BUTTONS"): TemplateComponent | undefined {
  return components.find((c) => upper(c.type) === type);
}

export type TemplateButton = { type: string; text?: string; url?: string; phone_number?: string; example?: unknown };

export function buttonsOf(components: TemplateComponent[]): TemplateButton[] {
  const b = componentOf(components, "BUTTONS")?.buttons;
  return Array.isArray(b) ? (b as TemplateButton[]) : [];
}

/** Every variable the template needs at send time, in the order Meta reads them. */
export function templateSlots(t: TemplateShape): TemplateSlot[] {
  const slots: TemplateSlot[] = [];
  const header = componentOf(t.components, "HEADER");
  const format = upper(header?.format);
  if (header && format === "TEXT") {
    for (const key of placeholders(textOf(header))) slots.push({ id: `header:${key}`, component: "header", key, label: `Header {{${key}}}`, kind: "text" });
  } else if (header && (format === "IMAGE" || format === "VIDEO" || format === "DOCUMENT")) {
    const mediaType = format.toLowerCase() as "image" | "video" | "document";
    slots.push({ id: "header:media", component: "header", key: "media", label: `Header ${mediaType} (link)`, kind: "media", mediaType });
  }
  for (const key of placeholders(textOf(componentOf(t.components, "BODY")))) {
    slots.push({ id: `body:${key}`, component: "body", key, label: `Body {{${key}}}`, kind: "text" });
  }
  buttonsOf(t.components).forEach((b, i) => {
    const type = upper(b.type);
    if (type === "URL" && typeof b.url === "string") {
      for (const key of placeholders(b.url)) slots.push({ id: `button:${i}:${key}`, component: "button", key, label: `Button ${i + 1} URL {{${key}}}`, kind: "text", buttonIndex: i });
    } else if (type === "COPY_CODE") {
      slots.push({ id: `button:${i}:code`, component: "button", key: "code", label: `Button ${i + 1} coupon code`, kind: "coupon_code", buttonIndex: i });
    }
  });
  return slots;
}

/**
 * Meta's `components` for a send: one header, body and button entry per component that has
 * variables, with values by slot id. A positional template's parameters go in number order; a
 * named one's carry `parameter_name`.
 */
export function sendComponents(t: TemplateShape, values: Record<string, string>): Record<string, unknown>[] {
  const slots = templateSlots(t);
  const named = t.parameterFormat === "named";
  const textParam = (s: TemplateSlot) => ({ type: "text", text: values[s.id] ?? "", ...(named ? { parameter_name: s.key } : {}) });
  const byOrder = (list: TemplateSlot[]) => (named ? list : [...list].sort((a, b) => Number(a.key) - Number(b.key)));
  const out: Record<string, unknown>[] = [];
  const header = slots.filter((s) => s.component === "header");
  if (header.length) {
    const h = header[0]!;
    out.push({
      type: "header",
      parameters: h.kind === "media" ? [{ type: h.mediaType, [h.mediaType!]: mediaRef(values[h.id] ?? "") }] : byOrder(header).map(textParam),
    });
  }
  const body = slots.filter((s) => s.component === "body");
  if (body.length) out.push({ type: "body", parameters: byOrder(body).map(textParam) });
  for (const s of slots.filter((x) => x.component === "button")) {
    out.push(
      s.kind === "coupon_code"
        ? { type: "button", sub_type: "copy_code", index: String(s.buttonIndex), parameters: [{ type: "coupon_code", coupon_code: values[s.id] ?? "" }] }
        : { type: "button", sub_type: "url", index: String(s.buttonIndex), parameters: [{ type: "text", text: values[s.id] ?? "" }] },
    );
  }
  return out;
}

/** A media header's value is a public https link, or an uploaded media id (digits). */
function mediaRef(value: string): { link: string } | { id: string } {
  return /^\d+$/.test(value) ? { id: value } : { link: value };
}

/** The template as the customer reads it (header, body, footer), variables filled in; for previews and the inbox. */
export function renderTemplateText(t: TemplateShape, values: Record<string, string>): { header: string | null; body: string; footer: string | null } {
  const fill = (text: string, component: "header" | "body") => text.replace(PLACEHOLDER, (whole, key: string) => values[`${component}:${key}`] ?? whole);
  const header = componentOf(t.components, "HEADER");
  const footer = componentOf(t.components, "FOOTER");
  return {
    header: header && upper(header.format) === "TEXT" ? fill(textOf(header), "header") : null,
    body: fill(textOf(componentOf(t.components, "BODY")), "body"),
    footer: footer ? textOf(footer) : null,
  };
}
