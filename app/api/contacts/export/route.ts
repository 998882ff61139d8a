import { z } from "zod";
import { withOrg } from "@/lib/api/with-org";
import { recordActivity } from "@/lib/audit/audit";
import { DEFAULT_EXPORT_COLUMNS, exportColumns, exportContactsCsv } from "@/lib/contacts/export";
import { resolveListQuery } from "@/lib/contacts/list-query";
import { contactListQuery } from "@/lib/schemas/contact-directory";
import { CUSTOM_FIELD_KEY } from "@/lib/schemas/contact";
import { CUSTOM_FIELD_PREFIX } from "@/lib/schemas/segment";

export const runtime = "nodejs";

const exportQuery = contactListQuery.extend({
  columns: z
    .string()
    .max(2_000)
    .optional()
    .transform((s, ctx) => {
      if (!s) return DEFAULT_EXPORT_COLUMNS as string[];
      const cols = s.split(",").map((c) => c.trim()).filter(Boolean);
      const bad = cols.find((c) => !(c in exportColumns) && !(c.startsWith(CUSTOM_FIELD_PREFIX) && CUSTOM_FIELD_KEY.test(c.slice(CUSTOM_FIELD_PREFIX.length))));
      if (bad) {
        ctx.addIssue({ code: "custom", message: `unknown column "${bad}" (known: ${Object.keys(exportColumns).join(", ")}, or customFields.<key>)` });
        return z.NEVER;
      }
      return cols;
    }),
});

// GET /api/contacts/export: the directory's selection (search, segment or filter) as a streamed CSV download, audited
export const GET = withOrg({ permission: "manage:contacts", query: exportQuery }, async ({ orgId, actor, query }) => {
  const { columns, ...rest } = query;
  const resolved = await resolveListQuery(orgId, rest);
  await recordActivity(orgId, actor, { action: "contacts.exported", entityType: "contact", entityId: null, after: { q: resolved.q ?? null, definition: resolved.definition, columns } });
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(exportContactsCsv(orgId, { q: resolved.q, definition: resolved.definition }, columns), {
    headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="contacts-${stamp}.csv"`, "cache-control": "no-store" },
  });
});
