/** "vip, trade fair," as ["vip", "trade fair"]: how every contacts form takes tags, options and values. */
export function commaList(text: string): string[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}
