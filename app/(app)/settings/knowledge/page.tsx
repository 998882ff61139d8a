import type { Metadata } from "next";
import { KnowledgeManager } from "@/components/ai/knowledge-manager";
import { listArticles, toArticleResponse } from "@/lib/ai/knowledge";
import { requirePageUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Knowledge base" };

export default async function KnowledgePage() {
  const user = await requirePageUser("system:admin");
  const articles = (await listArticles(user.orgId)).map(toArticleResponse);
  return <KnowledgeManager initialArticles={articles} />;
}
