import { pipeline, Readable } from "node:stream";
import { CsvError, parse, type Info } from "csv-parse";

/**
 * One data row of a CSV (`line` counts data rows from 1, the header excluded), or a record the
 * parser could not read: that row is reported and the rest of the file keeps going.
 */
export type CsvRow = { line: number; values: Record<string, string> } | { line: number; error: string };

/** The header row could not be read: nothing else in the file can be trusted. */
export class CsvFormatError extends Error {
  name = "CsvFormatError";
}

/** Bytes sniffed for the encoding. Spreadsheet exports are UTF-8 or, from older Excel, windows-1252. */
const SNIFF_BYTES = 64 * 1024;
const DELIMITERS = [",", ";", "\t", "|"] as const;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const asBuffer = (chunk: unknown) => (typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));

/** UTF-8 unless the first 64 KiB are not valid UTF-8 (a sequence cut at the sniff boundary is fine: `stream`). */
function sniffEncoding(head: Buffer): "utf-8" | "windows-1252" {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(head.subarray(0, SNIFF_BYTES), { stream: true });
    return "utf-8";
  } catch {
    return "windows-1252";
  }
}

/** The source as text: BOM dropped, decoded as UTF-8 or windows-1252 (see sniffEncoding). */
async function* decode(source: Readable): AsyncGenerator<string> {
  const it = source[Symbol.asyncIterator]();
  try {
    const head: Buffer[] = [];
    let size = 0;
    let done = false;
    while (size < SNIFF_BYTES) {
      const next = await it.next();
      if (next.done) {
        done = true;
        break;
      }
      const b = asBuffer(next.value);
      head.push(b);
      size += b.length;
    }
    let first = Buffer.concat(head);
    if (first.subarray(0, 3).equals(UTF8_BOM)) first = first.subarray(3);
    const decoder = new TextDecoder(sniffEncoding(first), { ignoreBOM: true });
    yield decoder.decode(first, { stream: true });
    while (!done) {
      const next = await it.next();
      if (next.done) break;
      yield decoder.decode(asBuffer(next.value), { stream: true });
    }
    yield decoder.decode();
  } finally {
    // Stopping early (a header preview) must release the source, e.g. a GridFS download.
    if (!source.destroyed) source.destroy();
  }
}

/** The delimiter with the most occurrences outside quotes on the header line (comma when none). */
function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of headerLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best: string = ",";
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

/** Trimmed header names, unique: an empty one becomes "Column <n>", a repeated one "<name> 2". */
export function uniqueHeaders(raw: string[]): string[] {
  const seen = new Set<string>();
  return raw.map((h, i) => {
    const base = h.trim() || `Column ${i + 1}`;
    let name = base;
    for (let n = 2; seen.has(name.toLowerCase()); n++) name = `${base} ${n}`;
    seen.add(name.toLowerCase());
    return name;
  });
}

const ERROR_TEXT: Record<string, string> = {
  CSV_INVALID_CLOSING_QUOTE: "a quoted value has text right after its closing quote",
  INVALID_OPENING_QUOTE: "a quote appears inside a value that does not start with one",
  CSV_QUOTE_NOT_CLOSED: "a quoted value is never closed, so the rest of the file was read as one value",
};

/** `startLine`: the file line the unreadable record starts on (an unclosed quote is only noticed at the end of the file). */
function describe(err: Error, startLine?: number): string {
  const text = err instanceof CsvError ? (ERROR_TEXT[err.code] ?? err.message) : err.message;
  return `This row could not be read: ${text}${startLine ? ` (file line ${startLine})` : ""}`;
}

function startLineOf(err: Error, raw: string | undefined): number | undefined {
  const lines = (err as Partial<Info>).lines;
  if (typeof lines !== "number") return undefined;
  return lines - (raw?.trimEnd().match(/\n/g)?.length ?? 0);
}

export type OpenCsv = {
  headers: string[];
  rows: AsyncIterable<CsvRow>;
  /** Stops reading and releases the source (iterating `rows` to the end or breaking out of it does too). */
  close: () => Promise<void>;
};

type Skip = { afterRecords: number; raw: string; error: Error; startLine: number | undefined };
type Parsed = { record: string[]; info: Info };

/**
 * Opens a CSV: its header names and its data rows as an async iterable (read once, streamed; memory
 * does not grow with the file). Values are as written (not trimmed); a row shorter than the header
 * gets "" for the missing columns; blank rows are left out.
 */
export async function openCsv(source: Readable): Promise<OpenCsv> {
  const text = decode(source);
  // The delimiter is decided on the header line, so hold the text until it is complete.
  let buffered = "";
  let ended = false;
  while (!buffered.includes("\n")) {
    const next = await text.next();
    if (next.done) {
      ended = true;
      break;
    }
    buffered += next.value;
  }
  const delimiter = detectDelimiter(buffered.split("\n", 1)[0]!);
  const skips: Skip[] = [];
  const parser = parse({
    delimiter,
    bom: false,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    // Not `trim` or `max_record_size`: csv-parse v7 stops reading the chunk after either error,
    // dropping later rows without a report.
    skip_records_with_error: true,
    raw: true,
    info: true,
    on_skip: (err, raw) => {
      if (!err) return;
      const afterRecords = parser.info.records;
      const last = skips.at(-1);
      // One bad record can raise several errors; each later one sees more of the same raw record.
      if (last && last.afterRecords === afterRecords && raw && last.raw && raw.length > last.raw.length && raw.startsWith(last.raw)) {
        last.raw = raw;
        return;
      }
      skips.push({ afterRecords, raw: raw ?? "", error: err, startLine: startLineOf(err, raw) });
    },
  });
  async function* feed() {
    yield buffered;
    if (!ended) yield* text;
  }
  const records = pipeline(Readable.from(feed(), { objectMode: false }), parser, () => {});
  const iterator = (records as AsyncIterable<Parsed>)[Symbol.asyncIterator]();

  const close = async () => {
    await iterator.return?.();
  };
  const first = await iterator.next();
  const headerError = skips.find((s) => s.afterRecords === 0);
  if (headerError) {
    await close();
    throw new CsvFormatError(`The header row could not be read: ${describe(headerError.error, headerError.startLine)}`);
  }
  if (first.done) return { headers: [], rows: (async function* () {})(), close };
  const headers = uniqueHeaders((first.value as Parsed).record);

  async function* rows(): AsyncGenerator<CsvRow> {
    let line = 0;
    let pending = 0;
    const flushSkips = function* (beforeRecord: number) {
      while (pending < skips.length && skips[pending]!.afterRecords < beforeRecord) {
        const skip = skips[pending++]!;
        yield { line: ++line, error: describe(skip.error, skip.startLine) } satisfies CsvRow;
      }
    };
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        const { record, info } = next.value as Parsed;
        yield* flushSkips(info.records);
        const extra = record.slice(headers.length).filter((v) => v.trim() !== "");
        if (extra.length > 0) {
          yield { line: ++line, error: `This row has ${record.length} values but the header has ${headers.length} columns (a value with the delimiter in it needs quotes)` };
          continue;
        }
        yield { line: ++line, values: Object.fromEntries(headers.map((h, i) => [h, record[i] ?? ""])) };
      }
      yield* flushSkips(Infinity);
    } finally {
      await close();
    }
  }
  return { headers, rows: rows(), close };
}

/** The data rows of a CSV (see openCsv). */
export async function* readCsv(source: Readable): AsyncGenerator<CsvRow> {
  const { rows } = await openCsv(source);
  yield* rows;
}

/** The header names only (the mapping step); reads no further than the first rows. */
export async function readHeaders(source: Readable): Promise<string[]> {
  const { headers, close } = await openCsv(source);
  await close();
  return headers;
}

/** The header and the first `n` rows (the mapping preview). */
export async function previewRows(source: Readable, n: number): Promise<{ headers: string[]; rows: CsvRow[] }> {
  const { headers, rows, close } = await openCsv(source);
  const out: CsvRow[] = [];
  if (n > 0) {
    for await (const row of rows) {
      out.push(row);
      if (out.length >= n) break;
    }
  }
  await close();
  return { headers, rows: out };
}
