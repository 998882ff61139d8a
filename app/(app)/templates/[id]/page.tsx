import type { Metadata } from "next";
import { ObjectId } from "mongodb";
import { notFound } from "next/navigation";
import { TemplateBuilder } from "@/components/templates/template-builder";
import { requirePageUser } from "@/lib/auth/session";
import { scoped } from "@/lib/db/scoped";
import { templateDetailResponse } from "@/lib/schemas/template";
import { toTemplateDetail } from "@/lib/templates/manage";

export const metadata: Metadata = { title: "Template" };

/** One template: its Meta status, edits left, and the builder to change or delete it. */
export default async function TemplatePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser("manage:templates");
  const { id } = await params;
  if (!ObjectId.isValid(id) || id.length !== 24) notFound();
  const template = await scoped(user.orgId)("whatsapp_templates").findOne({ _id: new ObjectId(id) });
  if (!template) notFound();
  return (
    <section className="space-y-4">
      <h1 className="break-all font-mono text-xl font-semibold">{template.name}</h1>
      <TemplateBuilder accounts={[]} template={templateDetailResponse.parse(toTemplateDetail(template))} />
    </section>
  );
}
