/** Tailwind classes per tag colour, spelled out so the build keeps them. */
export const chipClasses: Record<string, string> = {
  slate: "bg-slate-100 text-slate-700",
  red: "bg-red-100 text-red-800",
  amber: "bg-amber-100 text-amber-800",
  emerald: "bg-emerald-100 text-emerald-800",
  sky: "bg-sky-100 text-sky-800",
  violet: "bg-violet-100 text-violet-800",
  pink: "bg-pink-100 text-pink-800",
};

export function TagChip({ name, color = "slate" }: { name: string; color?: string }) {
  return <span className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium ${chipClasses[color] ?? chipClasses.slate}`}>{name}</span>;
}
