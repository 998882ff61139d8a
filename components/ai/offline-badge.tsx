/** Shown wherever AI output appears while the deterministic offline provider stands in for Gemini. */
export function OfflineAiBadge({ provider }: { provider: "gemini" | "offline" }) {
  if (provider !== "offline") return null;
  return (
    <span title="No GEMINI_API_KEY is set: a deterministic stand-in answers from the knowledge base" className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800">
      offline AI
    </span>
  );
}
