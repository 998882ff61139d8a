import { placeholderSpans, templateSlots, type TemplateComponent, type TemplateShape, type TemplateSlot } from "./variables";

/**
 * Meta's sample values (`example`) of a template, read and written by variable slot id (`body:1`,
 * `header:first_name`, `header:media`, `button:0:1`, `button:2:code`; see variables.ts). Meta
 * requires one for every variable so its reviewers can read the message as a customer would; the
 * shapes differ per component and per parameter format:
 * - header: `header_text: ["x"]` or `header_text_named_params: [{ param_name, example }]`; a media
 *   header: `header_handle: ["<upload handle>"]`
 * - body: `body_text: [["a", "b"]]` (in number order) or `body_text_named_params`
 * - URL button: `example: ["<the whole URL with the variable filled in>"]`; copy code: `example: "CODE"`
 */
export type Examples = Record<string, string>;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown) => (typeof v === "string" ? v : "");
const upper = (v: unknown) => String(v ?? "").toUpperCase();
const byNumber = (slots: TemplateSlot[]) => [...slots].sort((a, b) => Number(a.key) - Number(b.key));

function named(list: unknown, key: string): string {
  if (!Array.isArray(list)) return "";
  return str(list.map(obj).find((p) => p.param_name === key)?.example);
}

/** The sample value of each slot that has one (empty values count as missing). */
export function examplesOf(t: TemplateShape): Examples {
  const out: Examples = {};
  const slots = templateSlots(t);
  const isNamed = t.parameterFormat === "named";
  const header = t.components.find((c) => upper(c.type) === "HEADER");
  const body = t.components.find((c) => upper(c.type) === "BODY");
  const buttons = t.components.find((c) => upper(c.type) === "BUTTONS");
  const headerEx = obj(header?.example);
  const bodyEx = obj(body?.example);
  const textSlots = (component: "header" | "body") => slots.filter((s) => s.component === component && s.kind === "text");

  byNumber(textSlots("header")).forEach((s, i) => {
    out[s.id] = isNamed ? named(headerEx.header_text_named_params, s.key) : str((headerEx.header_text as unknown[] | undefined)?.[i]);
  });
  if (slots.some((s) => s.id === "header:media")) out["header:media"] = str((headerEx.header_handle as unknown[] | undefined)?.[0]);
  const row = Array.isArray(bodyEx.body_text) ? (bodyEx.body_text[0] as unknown[] | undefined) : undefined;
  byNumber(textSlots("body")).forEach((s, i) => {
    out[s.id] = isNamed ? named(bodyEx.body_text_named_params, s.key) : str(row?.[i]);
  });
  const list = Array.isArray(buttons?.buttons) ? (buttons.buttons as unknown[]).map(obj) : [];
  for (const s of slots.filter((x) => x.component === "button")) {
    const b = list[s.buttonIndex!]!;
    const example = Array.isArray(b.example) ? str(b.example[0]) : str(b.example);
    if (s.kind === "coupon_code") {
      out[s.id] = example;
    } else {
      // Meta wants the whole URL; the builder asks for the part that replaces the variable.
      const span = placeholderSpans(str(b.url)).find((p) => p.key === s.key);
      const prefix = span ? str(b.url).slice(0, span.start) : "";
      out[s.id] = prefix && example.startsWith(prefix) ? example.slice(prefix.length) : example;
    }
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== ""));
}

/** The components without any `example` (how they are stored: samples are for Meta's reviewers only). */
export function withoutExamples(components: TemplateComponent[]): TemplateComponent[] {
  return components.map((c) => {
    const { example: _example, ...rest } = c;
    if (!Array.isArray(rest.buttons)) return rest;
    return { ...rest, buttons: (rest.buttons as unknown[]).map((b) => Object.fromEntries(Object.entries(obj(b)).filter(([k]) => k !== "example"))) };
  });
}

/** The components with Meta's `example` fields built from sample values by slot id (empty values left out). */
export function withExamples(t: TemplateShape, examples: Examples): TemplateComponent[] {
  const slots = templateSlots(t);
  const isNamed = t.parameterFormat === "named";
  const value = (id: string) => examples[id]?.trim() ?? "";
  const textExample = (component: "header" | "body"): Obj | null => {
    const list = byNumber(slots.filter((s) => s.component === component && s.kind === "text"));
    if (!list.length || list.every((s) => !value(s.id))) return null;
    if (isNamed) {
      const params = list.filter((s) => value(s.id)).map((s) => ({ param_name: s.key, example: value(s.id) }));
      return component === "header" ? { header_text_named_params: params } : { body_text_named_params: params };
    }
    // Positional samples are a list in number order: a missing one stays as "" to keep the others in place.
    const values = list.map((s) => value(s.id));
    return component === "header" ? { header_text: values } : { body_text: [values] };
  };
  return withoutExamples(t.components).map((c) => {
    const type = upper(c.type);
    if (type === "HEADER") {
      const media = value("header:media");
      const example = upper(c.format) === "TEXT" ? textExample("header") : media && slots.some((s) => s.id === "header:media") ? { header_handle: [media] } : null;
      return example ? { ...c, example } : c;
    }
    if (type === "BODY") {
      const example = textExample("body");
      return example ? { ...c, example } : c;
    }
    if (type === "BUTTONS" && Array.isArray(c.buttons)) {
      return {
        ...c,
        buttons: (c.buttons as Obj[]).map((b, i) => {
          const slot = slots.find((s) => s.component === "button" && s.buttonIndex === i);
          const v = slot ? value(slot.id) : "";
          if (!slot || !v) return b;
          if (slot.kind === "coupon_code") return { ...b, example: v };
          const url = str(b.url);
          const span = placeholderSpans(url).find((p) => p.key === slot.key)!;
          return { ...b, example: [`${url.slice(0, span.start)}${v}${url.slice(span.end)}`] };
        }),
      };
    }
    return c;
  });
}
