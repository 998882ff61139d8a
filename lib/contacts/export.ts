import type { ObjectId } from "mongodb";
import { stringify } from "csv-stringify/sync";
import type { ContactDoc } from "@/lib/schemas/contact";
import type { ContactListQuery } from "@/lib/schemas/contact-directory";
import { CUSTOM_FIELD_PREFIX } from "@/lib/schemas/segment";
import { listContacts } from "./directory";

/** The columns an export can have, in this order; `customFields.<key>` adds a custom field. */
export const exportColumns = {
  name: (c: ContactDoc) => c.name ?? "",
  phone: (c: ContactDoc) => c.phone ?? "",
  whatsapp_user_id: (c: ContactDoc) => c.bsuid ?? "",
  email: (c: ContactDoc) => c.email ?? "",
  company: (c: ContactDoc) => c.company ?? "",
  tags: (c: ContactDoc) => c.tags.join(", "),
  consent: (c: ContactDoc) => c.consent.state,
  marketing_allowed: (c: ContactDoc) => (c.consent.marketing ? "yes" : "no"),
  source: (c: ContactDoc) => c.source.kind,
  created_at: (c: ContactDoc) => c.createdAt.toISOString(),
  last_message_at: (c: ContactDoc) => c.lastInboundAt?.toISOString() ?? "",
} as const;
export type ExportColumn = keyof typeof exportColumns;
export const DEFAULT_EXPORT_COLUMNS = Object.keys(exportColumns) as ExportColumn[];

const PAGE = 1_000;

/**
 * A cell a spreadsheet would run as a formula (it starts with = or @, or with + or - and is not a
 * number such as a phone) gets an apostrophe in front, so it is shown instead (CSV injection).
 */
export function safeCell(value: string): string {
  return /^[=@\t\r]/.test(value) || /^[+-](?![\d\s().-]*$)/.test(value) ? `'${value}` : value;
}

/**
 * The selection as CSV, streamed: keyset pages of 1,000 are read as the client takes the bytes, so
 * memory stays flat for the whole contact base; every cell goes through `safeCell`.
 */
export function exportContactsCsv(orgId: ObjectId, query: Omit<ContactListQuery, "cursor" | "limit" | "sort">, columns: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: string | undefined;
  let started = false;
  const cell = (c: ContactDoc, column: string) => {
    const value = column.startsWith(CUSTOM_FIELD_PREFIX) ? (c.customFields[column.slice(CUSTOM_FIELD_PREFIX.length)] ?? "") : exportColumns[column as ExportColumn](c);
    return safeCell(value);
  };
  return new ReadableStream({
    async pull(controller) {
      if (!started) {
        started = true;
        // A BOM so Excel reads UTF-8 names correctly.
        controller.enqueue(encoder.encode(`\uFEFF${stringify([columns])}`));
        return;
      }
      const page = await listContacts(orgId, { ...query, sort: "newest", cursor, limit: PAGE });
      if (page.contacts.length) controller.enqueue(encoder.encode(stringify(page.contacts.map((c) => columns.map((col) => cell(c, col))))));
      cursor = page.nextCursor ?? undefined;
      // Closed in the same pull: a pull that enqueues nothing (an empty last page) is not called again.
      if (!cursor) controller.close();
    },
  });
}
