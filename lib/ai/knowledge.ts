import { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import type { KnowledgeArticleDoc, KnowledgeArticleResponse } from "@/lib/schemas/ai";

/**
 * Portable knowledge retrieval (no $text, Atlas Search or vectors: none runs on the local engine): each article stores
 * its keyword stems in `keywords` (multikey index org_keywords); a question's stems select candidate
 * articles with `$in`, and they are ranked by overlap, title matches counting double.
 */
const STOPWORDS = new Set(
  (
    "the a an and or but if then else of to in on at by for with from about into over after before is are was were be been being " +
    "do does did have has had can could would should will shall may might must i me my we our you your he she it its they them their " +
    "this that these those what which who whom whose when where why how there here not no yes so too very just also than as up out " +
    "any some all more most other such only own same hi hello hey please thanks thank ok okay get got want need know tell like " +
    "el la los las un una unos unas y o de del en por para con que es son al lo se su sus mi mis tu tus hola gracias"
  ).split(" "),
);

/** Light suffix stripping so "shipping", "ships" and "shipped" meet at "ship". */
export function stem(word: string): string {
  let w = word;
  for (const suffix of ["ingly", "edly", "ing", "ies", "ied", "es", "ed", "ly", "s"]) {
    // "boxes" -> "box" but "times" -> "time"
    if (suffix === "es" && !/(s|x|z|ch|sh)es$/.test(w)) continue;
    if (w.length - suffix.length >= 3 && w.endsWith(suffix)) {
      w = suffix === "ies" || suffix === "ied" ? `${w.slice(0, -suffix.length)}y` : w.slice(0, -suffix.length);
      break;
    }
  }
  // "shipp" (from shipping) -> "ship"
  if (w.length >= 4 && w.at(-1) === w.at(-2) && !/[aeiou]/.test(w.at(-1)!)) w = w.slice(0, -1);
  return w;
}

export function keywordsOf(...texts: (string | null | undefined)[]): string[] {
  const out = new Set<string>();
  for (const t of texts) {
    if (!t) continue;
    for (const raw of t.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "").split(/[^\p{L}\p{N}]+/u)) {
      if (raw.length < 3 || STOPWORDS.has(raw)) continue;
      out.add(stem(raw));
      if (out.size >= 300) return [...out];
    }
  }
  return [...out];
}

export type RankedArticle = Pick<KnowledgeArticleDoc, "_id" | "title" | "body"> & { score: number };

/** The best `limit` active articles for a question, highest score first; ties go to the newest. */
export async function rankArticles(orgId: ObjectId, question: string, limit = 3): Promise<RankedArticle[]> {
  const wanted = keywordsOf(question);
  if (!wanted.length) return [];
  const candidates = await scoped(orgId)("knowledge_articles").find(
      { active: true, keywords: { $in: wanted } },
      { projection: { title: 1, body: 1, keywords: 1, updatedAt: 1 }, limit: 200 },
    ).toArray();
  const wantedSet = new Set(wanted);
  return candidates
    .map((a) => {
      const titleWords = new Set(keywordsOf(a.title));
      let score = 0;
      for (const k of new Set(a.keywords)) if (wantedSet.has(k)) score += titleWords.has(k) ? 2 : 1;
      return { article: { _id: a._id, title: a.title, body: a.body, score }, updatedAt: a.updatedAt.getTime() };
    })
    .sort((x, y) => y.article.score - x.article.score || y.updatedAt - x.updatedAt)
    .slice(0, limit)
    .map((x) => x.article);
}

export function toArticleResponse(a: KnowledgeArticleDoc): KnowledgeArticleResponse {
  return { id: a._id.toHexString(), title: a.title, body: a.body, active: a.active, createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString() };
}

export async function listArticles(orgId: ObjectId): Promise<KnowledgeArticleDoc[]> {
  return scoped(orgId)("knowledge_articles").find({}, { sort: { updatedAt: -1 }, limit: 500 }).toArray();
}

export async function getArticleOrThrow(orgId: ObjectId, id: ObjectId): Promise<KnowledgeArticleDoc> {
  const a = await scoped(orgId)("knowledge_articles").findOne({ _id: id });
  if (!a) throw new ApiError("not_found", "Article not found");
  return a;
}

export async function createArticle(orgId: ObjectId, input: { title: string; body: string; active: boolean }): Promise<KnowledgeArticleDoc> {
  const now = new Date();
  const doc = { _id: new ObjectId(), ...input, keywords: keywordsOf(input.title, input.body), createdAt: now, updatedAt: now };
  await scoped(orgId)("knowledge_articles").insertOne(doc);
  return { ...doc, orgId };
}

export async function updateArticle(orgId: ObjectId, id: ObjectId, patch: Partial<Pick<KnowledgeArticleDoc, "title" | "body" | "active">>): Promise<KnowledgeArticleDoc> {
  const before = await getArticleOrThrow(orgId, id);
  const next = { ...before, ...patch };
  const updated = await scoped(orgId)("knowledge_articles").findOneAndUpdate(
    { _id: id },
    { $set: { ...patch, keywords: keywordsOf(next.title, next.body), updatedAt: new Date() } },
    { returnDocument: "after" },
  );
  if (!updated) throw new ApiError("not_found", "Article not found");
  return updated;
}
