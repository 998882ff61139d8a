import { TEMPLATE_LANGUAGE, TEMPLATE_NAME, type ButtonType, type HeaderFormat, type TemplateDraft, type TemplateProblem } from "@/lib/schemas/template";
import { examplesOf } from "./examples";
import { placeholderSpans, templateSlots, type TemplateShape } from "./variables";

/**
 * The template linter: what Meta's review would refuse, found before submitting, in words a person
 * can act on. Pure (no I/O), so the builder runs it on every keystroke and the API runs the same
 * rules before calling Meta. Sources: Meta's "Template components", "Authentication templates" and
 * "Template review" pages (../shared/design/campaigns-and-automation.md cites them); docs/templates.md
 * lists every rule.
 */
export type Problem = TemplateProblem;

export const TEMPLATE_LIMITS = {
  headerChars: 60,
  headerVariables: 1,
  bodyChars: 1024,
  footerChars: 60,
  buttons: 10,
  urlButtons: 2,
  urlChars: 2000,
  phoneButtons: 1,
  phoneChars: 20,
  copyCodeButtons: 1,
  couponChars: 15,
  labelChars: 25,
  authParamChars: 15,
} as const;

const n = (v: number) => v.toLocaleString("en-US");
/** Meta counts characters, not UTF-16 units: an emoji is one. */
const chars = (s: string) => [...s].length;
const tooLong = (what: string, length: number, max: number) => `${what} is ${n(length)} characters; Meta allows at most ${n(max)}`;
const EMOJI = /\p{Extended_Pictographic}/u;
const LINK = /https?:\/\/|www\./i;
const NAMED_VARIABLE = /^[a-z][a-z0-9_]*$/;
const PHONE = /^\+?[1-9]\d{6,14}$/;

const buttonLabel: Record<ButtonType, string> = {
  QUICK_REPLY: "quick reply",
  URL: "URL",
  PHONE_NUMBER: "phone number",
  COPY_CODE: "copy-code",
  OTP: "one-time-password",
};

const headerName: Record<HeaderFormat, string> = { TEXT: "a text", IMAGE: "an image", VIDEO: "a video", DOCUMENT: "a document", LOCATION: "a location" };

type Component = TemplateDraft["components"][number];
type Of<T extends Component["type"]> = Extract<Component, { type: T }>;

export function lintTemplate(draft: TemplateDraft): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const auth = draft.category === "AUTHENTICATION";
  const shape: TemplateShape = { components: draft.components, parameterFormat: draft.parameterFormat };

  if (!draft.name) add("name", "Give the template a name");
  else if (chars(draft.name) > 512) add("name", tooLong("The name", chars(draft.name), 512));
  else if (!TEMPLATE_NAME.test(draft.name)) add("name", `The name may only use lowercase letters, digits and underscores ("${draft.name}" has others)`);
  if (!draft.language) add("language", "Choose a language");
  else if (!TEMPLATE_LANGUAGE.test(draft.language)) add("language", `"${draft.language}" is not a language code: use one like en_US or es`);

  const all = <T extends Component["type"]>(type: T) => draft.components.filter((c): c is Of<T> => c.type === type);
  for (const [type, label] of [["HEADER", "headers"], ["BODY", "bodies"], ["FOOTER", "footers"], ["BUTTONS", "button groups"]] as const) {
    const count = all(type).length;
    if (count > 1) add(type.toLowerCase(), `The template has ${count} ${label}; it can have one`);
  }
  const header = all("HEADER")[0];
  const body = all("BODY")[0];
  const footer = all("FOOTER")[0];
  const buttons = all("BUTTONS")[0]?.buttons;

  // Variables must be well-formed before their examples and positions mean anything.
  const validKey = (key: string) => (draft.parameterFormat === "named" ? NAMED_VARIABLE.test(key) : /^\d+$/.test(key));
  const checkVariables = (text: string, where: "header" | "body") => {
    const keys = placeholderSpans(text).map((s) => s.key);
    for (const key of [...new Set(keys)]) {
      if (validKey(key)) continue;
      if (draft.parameterFormat === "positional") add(`${where}.text`, `{{${key}}} in the ${where} is a named variable; this template numbers its variables ({{1}}, {{2}}...)`);
      else if (/^\d+$/.test(key)) add(`${where}.text`, `{{${key}}} in the ${where} is a numbered variable; this template names its variables (like {{first_name}})`);
      else add(`${where}.text`, `{{${key}}} in the ${where} is not a valid variable name: use lowercase letters, digits and underscores, starting with a letter`);
    }
    if (draft.parameterFormat === "positional") {
      const numbers = [...new Set(keys.filter((k) => /^\d+$/.test(k)).map(Number))].sort((a, b) => a - b);
      if (numbers[0] === 0) add(`${where}.text`, `Variables are numbered from {{1}}; the ${where} has {{0}}`);
      else {
        const missing = numbers.length ? Array.from({ length: numbers.at(-1)! }, (_, i) => i + 1).find((k) => !numbers.includes(k)) : undefined;
        if (missing !== undefined) add(`${where}.text`, `The ${where}'s variables must be numbered from {{1}} without gaps: {{${missing}}} is missing`);
      }
    }
  };

  if (header) {
    if (header.format === "TEXT") {
      const text = header.text ?? "";
      if (!text.trim()) add("header.text", "Write the header text, or choose no header");
      else if (chars(text) > TEMPLATE_LIMITS.headerChars) add("header.text", tooLong("The header", chars(text), TEMPLATE_LIMITS.headerChars));
      const count = new Set(placeholderSpans(text).map((s) => s.key)).size;
      if (count > TEMPLATE_LIMITS.headerVariables) add("header.text", `The header has ${count} variables; Meta allows at most ${TEMPLATE_LIMITS.headerVariables}`);
      checkVariables(text, "header");
    } else if (auth) {
      add("header.format", `Authentication templates cannot have ${headerName[header.format]} header`);
    }
  }

  if (!body || !body.text.trim()) add("body.text", "The body is required: write the message");
  else {
    const text = body.text;
    if (chars(text) > TEMPLATE_LIMITS.bodyChars) add("body.text", tooLong("The body", chars(text), TEMPLATE_LIMITS.bodyChars));
    checkVariables(text, "body");
    const spans = placeholderSpans(text);
    const lead = text.length - text.trimStart().length;
    const trail = text.trimEnd().length;
    // Meta's own authentication text begins with the code ("{{1}} is your verification code."): exempt.
    if (!auth && spans[0]?.start === lead) add("body.text", "The body cannot start with a variable: begin with words");
    if (!auth && spans.at(-1)?.end === trail) add("body.text", "The body cannot end with a variable: end with words or punctuation");
    for (let i = 1; i < spans.length; i++) {
      if (!text.slice(spans[i - 1]!.end, spans[i]!.start).trim()) {
        add("body.text", `{{${spans[i - 1]!.key}}} and {{${spans[i]!.key}}} are next to each other in the body: put words between them`);
      }
    }
  }

  if (footer) {
    if (!footer.text.trim()) add("footer.text", "The footer is empty: write it or remove it");
    else if (chars(footer.text) > TEMPLATE_LIMITS.footerChars) add("footer.text", tooLong("The footer", chars(footer.text), TEMPLATE_LIMITS.footerChars));
    const vars = placeholderSpans(footer.text);
    if (vars.length) add("footer.text", `The footer cannot contain variables ({{${vars[0]!.key}}})`);
  }

  if (buttons) lintButtons(buttons, auth, add);
  else if (auth) add("buttons", "Authentication templates need a one-time-password button (copy code, one-tap or zero-tap)");

  // Every well-formed variable needs a sample for Meta's reviewers.
  const examples = examplesOf(shape);
  for (const slot of templateSlots(shape)) {
    if (slot.kind === "text" && (slot.component === "button" ? slot.key !== "1" : !validKey(slot.key))) continue;
    const value = examples[slot.id];
    if (!value) {
      if (slot.kind === "media") add("header.example", `Add a sample ${slot.mediaType} for the header: Meta's reviewers need one (the handle of an upload to Meta)`);
      else if (slot.kind === "coupon_code") add(`buttons.${slot.buttonIndex}.example`, `Give the coupon code of button ${slot.buttonIndex! + 1}`);
      else if (slot.component === "button") add(`buttons.${slot.buttonIndex}.example`, `Give an example for the end of button ${slot.buttonIndex! + 1}'s URL ({{${slot.key}}})`);
      else add(`${slot.component}.example`, `Give an example for {{${slot.key}}} in the ${slot.component}`);
    } else if (slot.kind === "coupon_code" && chars(value) > TEMPLATE_LIMITS.couponChars) {
      add(`buttons.${slot.buttonIndex}.example`, `Button ${slot.buttonIndex! + 1}'s coupon code is ${chars(value)} characters; Meta allows at most ${TEMPLATE_LIMITS.couponChars}`);
    } else if (auth && slot.kind === "text" && chars(value) > TEMPLATE_LIMITS.authParamChars) {
      add(`${slot.component}.example`, `The example for {{${slot.key}}} is ${chars(value)} characters; authentication template parameters allow at most ${TEMPLATE_LIMITS.authParamChars}`);
    }
  }

  if (auth) {
    const texts: [string, string, string][] = [
      ["header.text", "the header", header?.format === "TEXT" ? (header.text ?? "") : ""],
      ["body.text", "the body", body?.text ?? ""],
      ["footer.text", "the footer", footer?.text ?? ""],
      ...(buttons ?? []).map((b, i): [string, string, string] => [`buttons.${i}.text`, `button ${i + 1}`, b.text ?? ""]),
    ];
    for (const [path, where, text] of texts) {
      const emoji = EMOJI.exec(text)?.[0];
      if (emoji) add(path, `Authentication templates cannot contain emojis: ${where} has ${emoji}`);
      if (LINK.test(text)) add(path, `Authentication templates cannot contain links: ${where} has one`);
    }
  }
  return problems;
}

type Button = NonNullable<Of<"BUTTONS">["buttons"]>[number];

function lintButtons(buttons: Button[], auth: boolean, add: (path: string, message: string) => void) {
  const L = TEMPLATE_LIMITS;
  if (buttons.length === 0) add("buttons", "Add at least one button, or remove the buttons");
  if (buttons.length > L.buttons) add("buttons", `The template has ${buttons.length} buttons; Meta allows at most ${L.buttons}`);
  const count = (type: ButtonType) => buttons.filter((b) => b.type === type).length;
  const limit = (type: ButtonType, max: number) => {
    if (count(type) > max) add("buttons", `The template has ${count(type)} ${buttonLabel[type]} buttons; Meta allows at most ${max}`);
  };
  limit("URL", L.urlButtons);
  limit("PHONE_NUMBER", L.phoneButtons);
  limit("COPY_CODE", L.copyCodeButtons);

  // Meta shows quick replies as one group: another type between two of them is refused.
  const quick = buttons.flatMap((b, i) => (b.type === "QUICK_REPLY" ? [i] : []));
  if (quick.length > 1) {
    const between = buttons.findIndex((b, i) => i > quick[0]! && i < quick.at(-1)! && b.type !== "QUICK_REPLY");
    if (between >= 0) add("buttons", `Quick reply buttons must be next to each other: button ${between + 1} (${buttonLabel[buttons[between]!.type]}) separates them`);
  }

  if (auth) {
    buttons.forEach((b, i) => {
      if (b.type !== "OTP") add(`buttons.${i}.type`, `Authentication templates can only have a one-time-password button; button ${i + 1} is a ${buttonLabel[b.type]} button`);
    });
    if (count("OTP") === 0) add("buttons", "Authentication templates need a one-time-password button (copy code, one-tap or zero-tap)");
    if (count("OTP") > 1) add("buttons", `Authentication templates have exactly one one-time-password button; this one has ${count("OTP")}`);
  }

  buttons.forEach((b, i) => {
    const label = `Button ${i + 1}`;
    const text = b.text ?? "";
    // Copy-code and one-time-password buttons carry a label WhatsApp writes itself when none is given.
    if (!text.trim() && b.type !== "COPY_CODE" && b.type !== "OTP") add(`buttons.${i}.text`, `${label} needs a label`);
    else if (chars(text) > L.labelChars) add(`buttons.${i}.text`, `${label}'s label is ${chars(text)} characters; Meta allows at most ${L.labelChars}`);

    if (b.type === "URL") {
      const url = b.url ?? "";
      if (!url.trim()) add(`buttons.${i}.url`, `${label} needs its URL`);
      else {
        if (!/^https:\/\//i.test(url)) add(`buttons.${i}.url`, `${label}'s URL must start with https://`);
        if (chars(url) > L.urlChars) add(`buttons.${i}.url`, `${label}'s URL is ${n(chars(url))} characters; Meta allows at most ${n(L.urlChars)}`);
        const vars = placeholderSpans(url);
        if (vars.length > 1 || (vars.length === 1 && (vars[0]!.key !== "1" || vars[0]!.end !== url.length))) {
          add(`buttons.${i}.url`, `${label}'s URL can have one variable, {{1}}, and only at its very end`);
        }
      }
    }
    if (b.type === "PHONE_NUMBER") {
      const phone = b.phone_number ?? "";
      if (chars(phone) > L.phoneChars) add(`buttons.${i}.phone_number`, `${label}'s phone number is ${chars(phone)} characters; Meta allows at most ${L.phoneChars}`);
      else if (!PHONE.test(phone.replace(/[\s-]/g, ""))) add(`buttons.${i}.phone_number`, `${label}'s phone number must be in international format with its country code, like +15550100123`);
    }
    if (b.type === "OTP") {
      if (!auth) add(`buttons.${i}.type`, `${label} is a one-time-password button: only authentication templates have one`);
      else if (!b.otp_type) add(`buttons.${i}.otp_type`, `Choose how button ${i + 1} delivers the code (copy code, one-tap or zero-tap)`);
      else if (b.otp_type !== "COPY_CODE") {
        const app = b.supported_apps?.[0];
        if (!app?.package_name.trim() || !app.signature_hash.trim()) add(`buttons.${i}.supported_apps`, `${label}'s autofill needs your Android app's package name and signature hash`);
        if (b.otp_type === "ZERO_TAP" && !b.zero_tap_terms_accepted) add(`buttons.${i}.zero_tap_terms_accepted`, `Accept Meta's zero-tap terms for button ${i + 1}`);
      }
    }
  });
}
