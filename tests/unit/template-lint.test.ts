import { describe, expect, it } from "vitest";
import type { TemplateButtonInput, TemplateComponentInput, TemplateDraft } from "@/lib/schemas/template";
import { draftFromForm, emptyForm, formFromTemplate, newButton } from "@/lib/templates/draft";
import { examplesOf } from "@/lib/templates/examples";
import { lintTemplate, type Problem } from "@/lib/templates/lint";

/**
 * One row per rule of Meta's (lib/templates/lint.ts): a draft Meta accepts and the smallest change
 * it refuses, with the exact words the builder shows.
 */
type C = TemplateComponentInput;
const body = (text: string, example?: string[]): C => ({ type: "BODY", text, ...(example ? { example: { body_text: [example] } } : {}) });
const namedBody = (text: string, params: [string, string][]): C => ({
  type: "BODY",
  text,
  example: { body_text_named_params: params.map(([param_name, example]) => ({ param_name, example })) },
});
const header = (text: string, example?: string[]): C => ({ type: "HEADER", format: "TEXT", text, ...(example ? { example: { header_text: example } } : {}) });
const footer = (text: string): C => ({ type: "FOOTER", text });
const buttons = (...list: TemplateButtonInput[]): C => ({ type: "BUTTONS", buttons: list });
const qr = (text: string): TemplateButtonInput => ({ type: "QUICK_REPLY", text });
const url = (text: string, u: string, example?: string): TemplateButtonInput => ({ type: "URL", text, url: u, ...(example ? { example: [example] } : {}) });
const phone = (phone_number: string, text = "Call us"): TemplateButtonInput => ({ type: "PHONE_NUMBER", text, phone_number });
const copy = (example?: string): TemplateButtonInput => ({ type: "COPY_CODE", ...(example ? { example } : {}) });
const otp = (extra: Partial<TemplateButtonInput> = {}): TemplateButtonInput => ({ type: "OTP", otp_type: "COPY_CODE", ...extra });
const app = { package_name: "com.example.app", signature_hash: "K8a/AINcGX7" };

const shipped = body("Hi {{1}}, your order has shipped.", ["Maria"]);
const draft = (components: C[], over: Partial<TemplateDraft> = {}): TemplateDraft => ({
  name: "order_update",
  language: "en_US",
  category: "UTILITY",
  parameterFormat: "positional",
  components,
  ...over,
});
const auth = (components: C[]) => draft(components, { category: "AUTHENTICATION", name: "login_code" });
const authBody = body("{{1}} is your verification code.", ["482913"]);

type Row = { rule: string; pass: TemplateDraft; fail: TemplateDraft; problem: Problem };

const rows: Row[] = [
  {
    rule: "name: lowercase letters, digits, underscores",
    pass: draft([shipped]),
    fail: draft([shipped], { name: "Order Update" }),
    problem: { path: "name", message: 'The name may only use lowercase letters, digits and underscores ("Order Update" has others)' },
  },
  { rule: "name: required", pass: draft([shipped]), fail: draft([shipped], { name: "" }), problem: { path: "name", message: "Give the template a name" } },
  {
    rule: "language: a locale code",
    pass: draft([shipped], { language: "pt_BR" }),
    fail: draft([shipped], { language: "english" }),
    problem: { path: "language", message: '"english" is not a language code: use one like en_US or es' },
  },
  {
    rule: "one component of each kind",
    pass: draft([shipped]),
    fail: draft([shipped, body("Thanks for waiting.")]),
    problem: { path: "body", message: "The template has 2 bodies; it can have one" },
  },
  {
    rule: "header: at most 60 characters",
    pass: draft([header("a".repeat(60)), shipped]),
    fail: draft([header("a".repeat(61)), shipped]),
    problem: { path: "header.text", message: "The header is 61 characters; Meta allows at most 60" },
  },
  {
    rule: "header: at most one variable",
    pass: draft([header("Order {{1}}", ["#1042"]), shipped]),
    fail: draft([header("Order {{1}} for {{2}}", ["#1042", "Maria"]), shipped]),
    problem: { path: "header.text", message: "The header has 2 variables; Meta allows at most 1" },
  },
  {
    rule: "header: a text header has text",
    pass: draft([header("Your order"), shipped]),
    fail: draft([header(" "), shipped]),
    problem: { path: "header.text", message: "Write the header text, or choose no header" },
  },
  {
    rule: "header: a media header has a sample for the reviewers",
    pass: draft([{ type: "HEADER", format: "IMAGE", example: { header_handle: ["4::aW1hZ2U="] } }, shipped]),
    fail: draft([{ type: "HEADER", format: "IMAGE" }, shipped]),
    problem: { path: "header.example", message: "Add a sample image for the header: Meta's reviewers need one (the handle of an upload to Meta)" },
  },
  { rule: "body: required", pass: draft([shipped]), fail: draft([footer("Thanks")]), problem: { path: "body.text", message: "The body is required: write the message" } },
  {
    rule: "body: at most 1,024 characters",
    pass: draft([body("a".repeat(1024))]),
    fail: draft([body("a".repeat(1030))]),
    problem: { path: "body.text", message: "The body is 1,030 characters; Meta allows at most 1,024" },
  },
  {
    rule: "body: an emoji counts as one character",
    pass: draft([body(`${"a".repeat(1023)}🎉`)]),
    fail: draft([body(`${"a".repeat(1024)}🎉`)]),
    problem: { path: "body.text", message: "The body is 1,025 characters; Meta allows at most 1,024" },
  },
  {
    rule: "footer: at most 60 characters",
    pass: draft([shipped, footer("b".repeat(60))]),
    fail: draft([shipped, footer("b".repeat(61))]),
    problem: { path: "footer.text", message: "The footer is 61 characters; Meta allows at most 60" },
  },
  {
    rule: "footer: no variables",
    pass: draft([shipped, footer("Reply STOP to opt out")]),
    fail: draft([shipped, footer("Sent to {{1}}")]),
    problem: { path: "footer.text", message: "The footer cannot contain variables ({{1}})" },
  },
  {
    rule: "footer: not empty",
    pass: draft([shipped, footer("Thanks")]),
    fail: draft([shipped, footer("")]),
    problem: { path: "footer.text", message: "The footer is empty: write it or remove it" },
  },
  {
    rule: "positional variables: numbered 1..n without gaps",
    pass: draft([body("Hi {{1}}, order {{2}} has shipped.", ["Maria", "#1042"])]),
    fail: draft([body("Hi {{1}}, order {{3}} has shipped.", ["Maria", "#1042"])]),
    problem: { path: "body.text", message: "The body's variables must be numbered from {{1}} without gaps: {{2}} is missing" },
  },
  {
    rule: "positional variables: numbered from 1",
    pass: draft([body("Hi {{1}}, welcome.", ["Maria"])]),
    fail: draft([body("Hi {{0}}, welcome.", ["Maria"])]),
    problem: { path: "body.text", message: "Variables are numbered from {{1}}; the body has {{0}}" },
  },
  {
    rule: "positional variables: no names",
    pass: draft([body("Hi {{1}}, welcome.", ["Maria"])]),
    fail: draft([body("Hi {{first_name}}, welcome.", ["Maria"])]),
    problem: { path: "body.text", message: "{{first_name}} in the body is a named variable; this template numbers its variables ({{1}}, {{2}}...)" },
  },
  {
    rule: "named variables: lowercase snake_case",
    pass: draft([namedBody("Hi {{first_name}}, welcome.", [["first_name", "Maria"]])], { parameterFormat: "named" }),
    fail: draft([namedBody("Hi {{FirstName}}, welcome.", [["FirstName", "Maria"]])], { parameterFormat: "named" }),
    problem: { path: "body.text", message: "{{FirstName}} in the body is not a valid variable name: use lowercase letters, digits and underscores, starting with a letter" },
  },
  {
    rule: "named variables: no numbers",
    pass: draft([namedBody("Hi {{first_name}}, welcome.", [["first_name", "Maria"]])], { parameterFormat: "named" }),
    fail: draft([body("Hi {{1}}, welcome.", ["Maria"])], { parameterFormat: "named" }),
    problem: { path: "body.text", message: "{{1}} in the body is a numbered variable; this template names its variables (like {{first_name}})" },
  },
  {
    rule: "examples: every body variable (body_text)",
    pass: draft([shipped]),
    fail: draft([body("Hi {{1}}, your order has shipped.")]),
    problem: { path: "body.example", message: "Give an example for {{1}} in the body" },
  },
  {
    rule: "examples: every named body variable (body_text_named_params)",
    pass: draft([namedBody("Hi {{first_name}}, it shipped.", [["first_name", "Maria"]])], { parameterFormat: "named" }),
    fail: draft([namedBody("Hi {{first_name}}, it shipped.", [["name", "Maria"]])], { parameterFormat: "named" }),
    problem: { path: "body.example", message: "Give an example for {{first_name}} in the body" },
  },
  {
    rule: "examples: the header variable (header_text)",
    pass: draft([header("Order {{1}}", ["#1042"]), shipped]),
    fail: draft([header("Order {{1}}"), shipped]),
    problem: { path: "header.example", message: "Give an example for {{1}} in the header" },
  },
  {
    rule: "examples: a URL button's variable",
    pass: draft([shipped, buttons(url("Track", "https://shop.example/track/{{1}}", "https://shop.example/track/ABC123"))]),
    fail: draft([shipped, buttons(url("Track", "https://shop.example/track/{{1}}"))]),
    problem: { path: "buttons.0.example", message: "Give an example for the end of button 1's URL ({{1}})" },
  },
  {
    rule: "body: does not start with a variable",
    pass: draft([body("Hi {{1}}, your order has shipped.", ["Maria"])]),
    fail: draft([body("{{1}}, your order has shipped.", ["Maria"])]),
    problem: { path: "body.text", message: "The body cannot start with a variable: begin with words" },
  },
  {
    rule: "body: does not end with a variable",
    pass: draft([body("Your code is {{1}}.", ["1234"])]),
    fail: draft([body("Your code is {{1}}\n", ["1234"])]),
    problem: { path: "body.text", message: "The body cannot end with a variable: end with words or punctuation" },
  },
  {
    rule: "body: no two adjacent variables",
    pass: draft([body("Hi {{1}} from {{2}}, welcome.", ["Maria", "Lisbon"])]),
    fail: draft([body("Hi {{1}} {{2}}, welcome.", ["Maria", "Lisbon"])]),
    problem: { path: "body.text", message: "{{1}} and {{2}} are next to each other in the body: put words between them" },
  },
  {
    rule: "buttons: at most 10",
    pass: draft([shipped, buttons(...Array.from({ length: 10 }, (_, i) => qr(`Option ${i + 1}`)))]),
    fail: draft([shipped, buttons(...Array.from({ length: 11 }, (_, i) => qr(`Option ${i + 1}`)))]),
    problem: { path: "buttons", message: "The template has 11 buttons; Meta allows at most 10" },
  },
  {
    rule: "buttons: at least one in a buttons component",
    pass: draft([shipped, buttons(qr("Yes"))]),
    fail: draft([shipped, buttons()]),
    problem: { path: "buttons", message: "Add at least one button, or remove the buttons" },
  },
  {
    rule: "buttons: quick replies grouped",
    pass: draft([shipped, buttons(qr("Yes"), qr("No"), url("Shop", "https://shop.example"))]),
    fail: draft([shipped, buttons(qr("Yes"), url("Shop", "https://shop.example"), qr("No"))]),
    problem: { path: "buttons", message: "Quick reply buttons must be next to each other: button 2 (URL) separates them" },
  },
  {
    rule: "buttons: at most 2 URL buttons",
    pass: draft([shipped, buttons(url("Shop", "https://shop.example"), url("Help", "https://help.example"))]),
    fail: draft([shipped, buttons(url("Shop", "https://shop.example"), url("Help", "https://help.example"), url("Blog", "https://blog.example"))]),
    problem: { path: "buttons", message: "The template has 3 URL buttons; Meta allows at most 2" },
  },
  {
    rule: "URL button: https",
    pass: draft([shipped, buttons(url("Shop", "https://shop.example"))]),
    fail: draft([shipped, buttons(url("Shop", "http://shop.example"))]),
    problem: { path: "buttons.0.url", message: "Button 1's URL must start with https://" },
  },
  {
    rule: "URL button: one variable, at the end",
    pass: draft([shipped, buttons(url("Track", "https://shop.example/track/{{1}}", "https://shop.example/track/ABC"))]),
    fail: draft([shipped, buttons(url("Track", "https://shop.example/{{1}}/track", "https://shop.example/ABC/track"))]),
    problem: { path: "buttons.0.url", message: "Button 1's URL can have one variable, {{1}}, and only at its very end" },
  },
  {
    rule: "URL button: at most 2,000 characters",
    pass: draft([shipped, buttons(url("Shop", `https://shop.example/${"p".repeat(1979)}`))]),
    fail: draft([shipped, buttons(url("Shop", `https://shop.example/${"p".repeat(1980)}`))]),
    problem: { path: "buttons.0.url", message: "Button 1's URL is 2,001 characters; Meta allows at most 2,000" },
  },
  {
    rule: "buttons: at most 1 phone number",
    pass: draft([shipped, buttons(phone("+15550100123"))]),
    fail: draft([shipped, buttons(phone("+15550100123"), phone("+15550100124", "Call sales"))]),
    problem: { path: "buttons", message: "The template has 2 phone number buttons; Meta allows at most 1" },
  },
  {
    rule: "phone button: international format",
    pass: draft([shipped, buttons(phone("+44 20 7946 0958"))]),
    fail: draft([shipped, buttons(phone("020 7946 0958"))]),
    problem: { path: "buttons.0.phone_number", message: "Button 1's phone number must be in international format with its country code, like +15550100123" },
  },
  {
    rule: "phone button: at most 20 characters",
    pass: draft([shipped, buttons(phone("+1 555 010 0123 4567"))]),
    fail: draft([shipped, buttons(phone("+1 555 010 0123 45678"))]),
    problem: { path: "buttons.0.phone_number", message: "Button 1's phone number is 21 characters; Meta allows at most 20" },
  },
  {
    rule: "buttons: at most 1 copy-code",
    pass: draft([shipped, buttons(copy("SAVE10"))], { category: "MARKETING" }),
    fail: draft([shipped, buttons(copy("SAVE10"), copy("SAVE20"))], { category: "MARKETING" }),
    problem: { path: "buttons", message: "The template has 2 copy-code buttons; Meta allows at most 1" },
  },
  {
    rule: "copy-code button: code at most 15 characters",
    pass: draft([shipped, buttons(copy("SUMMER2026SALE5"))], { category: "MARKETING" }),
    fail: draft([shipped, buttons(copy("SUMMER2026SALE50"))], { category: "MARKETING" }),
    problem: { path: "buttons.0.example", message: "Button 1's coupon code is 16 characters; Meta allows at most 15" },
  },
  {
    rule: "copy-code button: has its code",
    pass: draft([shipped, buttons(copy("SAVE10"))], { category: "MARKETING" }),
    fail: draft([shipped, buttons(copy())], { category: "MARKETING" }),
    problem: { path: "buttons.0.example", message: "Give the coupon code of button 1" },
  },
  {
    rule: "button labels: at most 25 characters",
    pass: draft([shipped, buttons(qr("c".repeat(25)))]),
    fail: draft([shipped, buttons(qr("c".repeat(26)))]),
    problem: { path: "buttons.0.text", message: "Button 1's label is 26 characters; Meta allows at most 25" },
  },
  {
    rule: "button labels: required",
    pass: draft([shipped, buttons(qr("Yes"))]),
    fail: draft([shipped, buttons(qr(""))]),
    problem: { path: "buttons.0.text", message: "Button 1 needs a label" },
  },
  {
    rule: "one-time-password buttons: authentication only",
    pass: auth([authBody, buttons(otp())]),
    fail: draft([shipped, buttons(otp())]),
    problem: { path: "buttons.0.type", message: "Button 1 is a one-time-password button: only authentication templates have one" },
  },
  {
    rule: "authentication: only a one-time-password button",
    pass: auth([authBody, buttons(otp())]),
    fail: auth([authBody, buttons(otp(), url("Help", "https://help.example"))]),
    problem: { path: "buttons.1.type", message: "Authentication templates can only have a one-time-password button; button 2 is a URL button" },
  },
  {
    rule: "authentication: needs a one-time-password button",
    pass: auth([authBody, buttons(otp())]),
    fail: auth([authBody]),
    problem: { path: "buttons", message: "Authentication templates need a one-time-password button (copy code, one-tap or zero-tap)" },
  },
  {
    rule: "authentication: one-tap names the Android app",
    pass: auth([authBody, buttons(otp({ otp_type: "ONE_TAP", supported_apps: [app] }))]),
    fail: auth([authBody, buttons(otp({ otp_type: "ONE_TAP" }))]),
    problem: { path: "buttons.0.supported_apps", message: "Button 1's autofill needs your Android app's package name and signature hash" },
  },
  {
    rule: "authentication: zero-tap terms accepted",
    pass: auth([authBody, buttons(otp({ otp_type: "ZERO_TAP", supported_apps: [app], zero_tap_terms_accepted: true }))]),
    fail: auth([authBody, buttons(otp({ otp_type: "ZERO_TAP", supported_apps: [app] }))]),
    problem: { path: "buttons.0.zero_tap_terms_accepted", message: "Accept Meta's zero-tap terms for button 1" },
  },
  {
    rule: "authentication: no media header",
    pass: auth([header("Your code"), authBody, buttons(otp())]),
    fail: auth([{ type: "HEADER", format: "IMAGE", example: { header_handle: ["4::aW1hZ2U="] } }, authBody, buttons(otp())]),
    problem: { path: "header.format", message: "Authentication templates cannot have an image header" },
  },
  {
    rule: "authentication: no emojis",
    pass: auth([authBody, buttons(otp())]),
    fail: auth([body("{{1}} is your verification code 🔐", ["482913"]), buttons(otp())]),
    problem: { path: "body.text", message: "Authentication templates cannot contain emojis: the body has 🔐" },
  },
  {
    rule: "authentication: no links",
    pass: auth([authBody, buttons(otp())]),
    fail: auth([body("{{1}} is your code. Sign in at https://app.example", ["482913"]), buttons(otp())]),
    problem: { path: "body.text", message: "Authentication templates cannot contain links: the body has one" },
  },
  {
    rule: "authentication: parameters at most 15 characters",
    pass: auth([body("{{1}} is your verification code.", ["123456789012345"]), buttons(otp())]),
    fail: auth([body("{{1}} is your verification code.", ["1234567890123456"]), buttons(otp())]),
    problem: { path: "body.example", message: "The example for {{1}} is 16 characters; authentication template parameters allow at most 15" },
  },
];

describe("lintTemplate: Meta's rules, one row each", () => {
  it.each(rows)("$rule", ({ pass, fail, problem }) => {
    expect(lintTemplate(pass)).toEqual([]);
    expect(lintTemplate(fail)).toEqual([problem]);
  });

  it("reports every problem of a draft at once", () => {
    const messages = lintTemplate(draft([body("{{1}}{{2}}")], { name: "Bad Name" })).map((p) => p.message);
    expect(messages).toEqual([
      'The name may only use lowercase letters, digits and underscores ("Bad Name" has others)',
      "The body cannot start with a variable: begin with words",
      "The body cannot end with a variable: end with words or punctuation",
      "{{1}} and {{2}} are next to each other in the body: put words between them",
      "Give an example for {{1}} in the body",
      "Give an example for {{2}} in the body",
    ]);
  });
});

describe("the builder's form and Meta's components", () => {
  it("puts samples in Meta's example shapes and reads them back, buttons keeping theirs when reordered", () => {
    const form = {
      ...emptyForm(),
      name: "order_update",
      header: "TEXT" as const,
      headerText: "Order {{1}}",
      body: "Hi {{1}}, order {{2}} ships {{3}}.",
      footer: "Thanks",
      examples: { "header:1": "#1042", "body:1": "Maria", "body:2": "#1042", "body:3": "today" },
      buttons: [
        { ...newButton("URL"), text: "Track", url: "https://shop.example/t/{{1}}", example: "ABC" },
        { ...newButton("QUICK_REPLY"), text: "Thanks" },
      ],
    };
    const d = draftFromForm(form);
    expect(d.components).toEqual([
      { type: "HEADER", format: "TEXT", text: "Order {{1}}", example: { header_text: ["#1042"] } },
      { type: "BODY", text: "Hi {{1}}, order {{2}} ships {{3}}.", example: { body_text: [["Maria", "#1042", "today"]] } },
      { type: "FOOTER", text: "Thanks" },
      { type: "BUTTONS", buttons: [{ type: "URL", text: "Track", url: "https://shop.example/t/{{1}}", example: ["https://shop.example/t/ABC"] }, { type: "QUICK_REPLY", text: "Thanks" }] },
    ]);
    expect(lintTemplate(d)).toEqual([]);
    const back = formFromTemplate(d).form;
    expect(back.examples).toEqual(form.examples);
    expect(back.buttons.map((b) => [b.type, b.text, b.example])).toEqual([["URL", "Track", "ABC"], ["QUICK_REPLY", "Thanks", ""]]);
    const reordered = draftFromForm({ ...form, buttons: [form.buttons[1]!, form.buttons[0]!] });
    expect(examplesOf(reordered)).toMatchObject({ "button:1:1": "ABC" });
  });

  it("writes named samples as body_text_named_params", () => {
    const d = draftFromForm({ ...emptyForm(), parameterFormat: "named", body: "Hello {{customer_name}}, see you {{date}}.", examples: { "body:customer_name": "Maria", "body:date": "June 3" } });
    expect(d.components).toEqual([
      { type: "BODY", text: "Hello {{customer_name}}, see you {{date}}.", example: { body_text_named_params: [{ param_name: "customer_name", example: "Maria" }, { param_name: "date", example: "June 3" }] } },
    ]);
  });
});
