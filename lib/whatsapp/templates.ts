import { ObjectId, type AnyBulkWriteOperation, type Document } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import type { TemplateDoc } from "@/lib/schemas/template";
import { graphClient, type MetaTemplate } from "./graph-client";

export type SyncResult = { accountId: string; total: number; created: number; updated: number; removed: number };

/**
 * Mirrors the account's message templates from Meta into `whatsapp_templates`, upserting by
 * `wabaId:name:language` (the key the template webhooks also update by). Templates that Meta no
 * longer lists are kept with status DELETED, so campaigns that used them still resolve.
 */
export async function syncTemplates(orgId: ObjectId, accountId: ObjectId): Promise<SyncResult> {
  const db = scoped(orgId);
  const account = await db("whatsapp_accounts").findOne({ _id: accountId });
  if (!account) throw new ApiError("not_found", "WhatsApp account not found");
  if (!account.wabaId) throw new ApiError("unprocessable_entity", "This WhatsApp account has no business account (WABA) id to read templates from");
  const remote = await graphClient(account).listTemplates();
  const now = new Date();
  const keys = remote.map((t) => templateKey(account.wabaId, t.name, t.language));
  const ops: AnyBulkWriteOperation<TemplateDoc & Document>[] = remote.map((t, i) => ({
    updateOne: {
      filter: { key: keys[i]! },
      update: {
        $set: { ...fromMeta(t), accountId, wabaId: account.wabaId, syncedAt: now, updatedAt: now },
        $setOnInsert: { _id: new ObjectId(), key: keys[i]!, createdAt: now },
      },
      upsert: true,
    },
  }));
  const res = ops.length ? await db("whatsapp_templates").bulkWrite(ops, { ordered: false }) : null;
  const removed = await db("whatsapp_templates").updateMany(
    { accountId, key: { $nin: keys }, status: { $ne: "DELETED" } },
    { $set: { status: "DELETED", syncedAt: now, updatedAt: now } },
  );
  return { accountId: accountId.toHexString(), total: remote.length, created: res?.upsertedCount ?? 0, updated: res?.modifiedCount ?? 0, removed: removed.modifiedCount };
}

export function templateKey(wabaId: string, name: string, language: string): string {
  return `${wabaId}:${name}:${language}`;
}

/**
 * Components are kept without Meta's `example`: sample values for Meta's reviewers, never needed to
 * send or show.
 */
function fromMeta(t: MetaTemplate): Pick<TemplateDoc, "metaId" | "name" | "language" | "category" | "status" | "qualityScore" | "rejectedReason" | "parameterFormat" | "components"> {
  return {
    metaId: t.id,
    name: t.name,
    language: t.language,
    category: t.category,
    status: t.status,
    qualityScore: t.quality_score?.score ?? null,
    rejectedReason: t.rejected_reason && t.rejected_reason !== "NONE" ? t.rejected_reason : null,
    parameterFormat: t.parameter_format?.toLowerCase() === "named" ? "named" : "positional",
    components: (t.components ?? []).map((c) => Object.fromEntries(Object.entries(c).filter(([k]) => k !== "example"))),
  };
}
