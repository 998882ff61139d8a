import { buttonTypes, headerFormats, otpTypes, templateCategories, type ButtonType, type HeaderFormat, type OtpType, type TemplateCategory, type TemplateDraft } from "@/lib/schemas/template";
import { examplesOf, withExamples, type Examples } from "./examples";
import { buttonsOf, componentOf, type TemplateComponent } from "./variables";

/**
 * The template builder's form and its translation to and from Meta's components. The form keeps
 * what a person edits (texts, a list of buttons, one sample per variable); the draft is what the
 * linter checks and Meta receives. Header and body samples are kept by slot id (`body:1`), button
 * samples on the button itself, so reordering buttons keeps each button's sample.
 */
export type HeaderChoice = "NONE" | HeaderFormat;

export type ButtonForm = {
  /** React key only; never sent. */
  key: string;
  type: ButtonType;
  text: string;
  url: string;
  phoneNumber: string;
  /** URL button: what replaces {{1}} at the end of the URL; copy code: the code. */
  example: string;
  otpType: OtpType;
  packageName: string;
  signatureHash: string;
  zeroTapTermsAccepted: boolean;
};

export type BuilderForm = {
  name: string;
  language: string;
  category: TemplateCategory;
  parameterFormat: "positional" | "named";
  header: HeaderChoice;
  headerText: string;
  /** A media header's sample: the handle of an upload to Meta (Resumable Upload API). */
  headerHandle: string;
  body: string;
  footer: string;
  buttons: ButtonForm[];
  examples: Examples;
};

let seq = 0;

export function newButton(type: ButtonType): ButtonForm {
  seq += 1;
  return { key: `button-${seq}`, type, text: "", url: "", phoneNumber: "", example: "", otpType: "COPY_CODE", packageName: "", signatureHash: "", zeroTapTermsAccepted: false };
}

export function emptyForm(): BuilderForm {
  return { name: "", language: "en_US", category: "UTILITY", parameterFormat: "positional", header: "NONE", headerText: "", headerHandle: "", body: "", footer: "", buttons: [], examples: {} };
}

function metaButton(b: ButtonForm): Record<string, unknown> {
  switch (b.type) {
    case "QUICK_REPLY":
      return { type: b.type, text: b.text };
    case "URL":
      return { type: b.type, text: b.text, url: b.url };
    case "PHONE_NUMBER":
      return { type: b.type, text: b.text, phone_number: b.phoneNumber };
    // Meta writes the copy-code button's label itself ("Copy offer code").
    case "COPY_CODE":
      return { type: b.type };
    case "OTP":
      return {
        type: b.type,
        otp_type: b.otpType,
        ...(b.text.trim() ? { text: b.text } : {}),
        ...(b.otpType !== "COPY_CODE" ? { supported_apps: [{ package_name: b.packageName, signature_hash: b.signatureHash }] } : {}),
        ...(b.otpType === "ZERO_TAP" ? { zero_tap_terms_accepted: b.zeroTapTermsAccepted } : {}),
      };
  }
}

/** The form as Meta's template: components in Meta's order, samples in Meta's `example` shapes. */
export function draftFromForm(f: BuilderForm): TemplateDraft {
  const components: TemplateComponent[] = [];
  if (f.header !== "NONE") components.push({ type: "HEADER", format: f.header, ...(f.header === "TEXT" ? { text: f.headerText } : {}) });
  components.push({ type: "BODY", text: f.body });
  if (f.footer) components.push({ type: "FOOTER", text: f.footer });
  if (f.buttons.length) components.push({ type: "BUTTONS", buttons: f.buttons.map(metaButton) });
  const examples: Examples = { ...f.examples, "header:media": f.headerHandle };
  f.buttons.forEach((b, i) => {
    if (b.type === "URL") examples[`button:${i}:1`] = b.example;
    if (b.type === "COPY_CODE") examples[`button:${i}:code`] = b.example;
  });
  return {
    name: f.name,
    language: f.language,
    category: f.category,
    parameterFormat: f.parameterFormat,
    // withExamples only adds `example` fields in Meta's shapes to the components built above.
    components: withExamples({ components, parameterFormat: f.parameterFormat }, examples) as TemplateDraft["components"],
  };
}

const upper = (v: unknown) => String(v ?? "").toUpperCase();
const str = (v: unknown) => (typeof v === "string" ? v : "");
const oneOf = <T extends string>(list: readonly T[], v: string): T | undefined => list.find((x) => x === v);

/**
 * A stored or synced template as the form. Buttons the builder does not edit (Meta's FLOW,
 * catalog, ...) are reported so the page can say why it cannot resubmit them.
 */
export function formFromTemplate(t: { name: string; language: string; category: string; parameterFormat: "positional" | "named"; components: TemplateComponent[] }): {
  form: BuilderForm;
  unsupported: string[];
} {
  const header = componentOf(t.components, "HEADER");
  const format = oneOf(headerFormats, upper(header?.format));
  const examples = examplesOf({ components: t.components, parameterFormat: t.parameterFormat });
  const unsupported: string[] = [];
  const buttons: ButtonForm[] = [];
  buttonsOf(t.components).forEach((raw, i) => {
    const type = upper(raw.type);
    const known = oneOf(buttonTypes, type);
    if (!known) {
      unsupported.push(type || "unknown");
      return;
    }
    const r = raw as Record<string, unknown>;
    const app = Array.isArray(r.supported_apps) ? (r.supported_apps[0] as Record<string, unknown> | undefined) : undefined;
    buttons.push({
      ...newButton(known),
      text: str(raw.text),
      url: str(raw.url),
      phoneNumber: str(raw.phone_number),
      example: examples[`button:${i}:1`] ?? examples[`button:${i}:code`] ?? "",
      otpType: oneOf(otpTypes, upper(r.otp_type)) ?? "COPY_CODE",
      packageName: str(app?.package_name),
      signatureHash: str(app?.signature_hash),
      zeroTapTermsAccepted: r.zero_tap_terms_accepted === true,
    });
  });
  const category: TemplateCategory = oneOf(templateCategories, upper(t.category)) ?? "UTILITY";
  return {
    form: {
      name: t.name,
      language: t.language,
      category,
      parameterFormat: t.parameterFormat,
      header: header && format ? format : "NONE",
      headerText: format === "TEXT" ? str(header?.text) : "",
      headerHandle: examples["header:media"] ?? "",
      body: str(componentOf(t.components, "BODY")?.text),
      footer: str(componentOf(t.components, "FOOTER")?.text),
      buttons,
      examples: Object.fromEntries(Object.entries(examples).filter(([id]) => id !== "header:media" && (id.startsWith("header:") || id.startsWith("body:")))),
    },
    unsupported,
  };
}
