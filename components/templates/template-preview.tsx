import type { TemplateDraft } from "@/lib/schemas/template";
import { examplesOf } from "@/lib/templates/examples";
import { placeholderSpans, type TemplateShape } from "@/lib/templates/variables";

type Component = TemplateDraft["components"][number];
type Button = Extract<Component, { type: "BUTTONS" }>["buttons"][number];

/** A text with its variables shown as their samples (or as {{1}} until one is typed), marked. */
function Filled({ text, component, examples }: { text: string; component: "header" | "body"; examples: Record<string, string> }) {
  const parts: React.ReactNode[] = [];
  let at = 0;
  for (const span of placeholderSpans(text)) {
    parts.push(text.slice(at, span.start));
    const value = examples[`${component}:${span.key}`];
    parts.push(
      <mark key={span.start} className={`rounded px-0.5 ${value ? "bg-emerald-100 text-inherit" : "bg-amber-100 text-amber-800"}`}>
        {value || `{{${span.key}}}`}
      </mark>,
    );
    at = span.end;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}

const mediaLabel: Record<string, string> = { IMAGE: "🖼 Image", VIDEO: "🎬 Video", DOCUMENT: "📄 Document", LOCATION: "📍 Location" };

function buttonLabel(b: Button): string {
  if (b.type === "COPY_CODE") return "Copy offer code";
  if (b.type === "OTP") return b.text || (b.otp_type === "COPY_CODE" || !b.otp_type ? "Copy code" : "Autofill");
  return b.text || "Button";
}

const buttonIcon: Record<Button["type"], string> = { QUICK_REPLY: "↩", URL: "↗", PHONE_NUMBER: "📞", COPY_CODE: "⧉", OTP: "⧉" };

/**
 * The template as the customer's WhatsApp shows it: a message bubble with header, body, footer and
 * its buttons underneath. WhatsApp lists at most 3 buttons; with more it shows 2 and "See all options".
 */
export function TemplatePreview({ draft }: { draft: TemplateDraft }) {
  const shape: TemplateShape = { components: draft.components, parameterFormat: draft.parameterFormat };
  const examples = examplesOf(shape);
  const find = <T extends Component["type"]>(type: T) => draft.components.find((c): c is Extract<Component, { type: T }> => c.type === type);
  const header = find("HEADER");
  const body = find("BODY");
  const footer = find("FOOTER");
  const buttons = find("BUTTONS")?.buttons ?? [];
  const shown = buttons.length > 3 ? buttons.slice(0, 2) : buttons;
  return (
    <figure aria-label="Preview" data-testid="template-preview" className="rounded-lg bg-[#e5ddd5] p-3">
      <figcaption className="mb-2 text-xs font-medium text-slate-600">Preview (samples shown for variables)</figcaption>
      <div className="max-w-xs">
        <div className="rounded-lg rounded-tl-none bg-white px-2.5 py-2 text-sm text-slate-900 shadow-sm">
          {header?.format === "TEXT" && header.text ? (
            <p className="mb-1 font-semibold" data-testid="preview-header">
              <Filled text={header.text} component="header" examples={examples} />
            </p>
          ) : header && header.format !== "TEXT" ? (
            <div className="mb-2 flex h-28 items-center justify-center rounded bg-slate-200 text-sm text-slate-600" data-testid="preview-header">
              {mediaLabel[header.format]}
            </div>
          ) : null}
          <p className="whitespace-pre-wrap break-words" data-testid="preview-body">
            {body?.text ? <Filled text={body.text} component="body" examples={examples} /> : <span className="text-slate-400">The body appears here.</span>}
          </p>
          {footer?.text && (
            <p className="mt-1 text-xs text-slate-500" data-testid="preview-footer">
              {footer.text}
            </p>
          )}
          <p className="mt-0.5 text-right text-[10px] text-slate-400">12:00</p>
        </div>
        {shown.length > 0 && (
          <ul className="mt-1 space-y-1" aria-label="Preview buttons">
            {shown.map((b, i) => (
              <li key={i} className="rounded-lg bg-white px-2 py-1.5 text-center text-sm font-medium text-sky-600 shadow-sm">
                <span aria-hidden="true">{buttonIcon[b.type]} </span>
                {buttonLabel(b)}
              </li>
            ))}
            {buttons.length > 3 && <li className="rounded-lg bg-white px-2 py-1.5 text-center text-sm font-medium text-sky-600 shadow-sm">☰ See all options</li>}
          </ul>
        )}
      </div>
    </figure>
  );
}
