import type { ObjectId } from "mongodb";
import { ApiError } from "@/lib/api/errors";
import { scoped } from "@/lib/db/scoped";
import { toContactResponse } from "./contacts";
import { toConversationResponse } from "@/lib/inbox/responses";

export type TimelineEntry = {
  at: string;
  kind: "conversation" | "consent" | "activity" | "note";
  title: string;
  detail: string | null;
  /** Where the entry can be opened (a conversation in the inbox). */
  href: string | null;
};

const TIMELINE_EACH = 50;

/**
 * Everything the directory shows about one person: the contact, their conversations (newest
 * first, linked into the inbox), the consent ledger and the audit entries about them, merged into
 * one timeline. Four indexed reads in parallel, each bounded.
 */
export async function contactProfile(orgId: ObjectId, id: ObjectId) {
  const db = scoped(orgId);
  const [contact, conversations, consent, activity, merges, notes] = await Promise.all([
    db("contacts").findOne({ _id: id }),
    db("conversations").find({ contactId: id }, { sort: { createdAt: -1 }, limit: TIMELINE_EACH }).toArray(),
    db("consent_events").find({ contactId: id }, { sort: { at: -1 }, limit: TIMELINE_EACH }).toArray(),
    db("activity_logs").find({ entityType: "contact", entityId: id }, { sort: { at: -1 }, limit: TIMELINE_EACH }).toArray(),
    db("contact_merges").find({ survivorId: id }, { sort: { createdAt: -1 }, limit: 10 }).toArray(),
    db("contact_notes").find({ contactId: id }, { sort: { createdAt: -1 }, limit: TIMELINE_EACH }).toArray(),
  ]);
  if (!contact || contact.erasedAt) throw new ApiError("not_found", "Contact not found");
  const timeline: TimelineEntry[] = [
    ...conversations.map((c) => ({
      at: c.createdAt.toISOString(),
      kind: "conversation" as const,
      title: `Conversation ${c.status === "resolved" || c.status === "closed" ? `(${c.status})` : "(open)"}`,
      detail: c.lastMessage ? `Last: ${c.lastMessage.preview}` : null,
      href: `/inbox/${c._id.toHexString()}`,
    })),
    ...consent.map((e) => ({
      at: e.at.toISOString(),
      kind: "consent" as const,
      title: `${e.state === "opted_out" ? "Opted out" : e.state === "opted_in" ? "Opted in" : "Consent unknown"}${e.channel === "marketing" ? " of marketing" : ""}`,
      detail: [e.source.replace(/_/g, " "), e.detail].filter(Boolean).join(": "),
      href: null,
    })),
    ...notes.map((n) => ({
      at: n.createdAt.toISOString(),
      kind: "note" as const,
      title: `Note by ${n.authorName}`,
      detail: n.text,
      href: null,
    })),
    ...activity.map((a) => ({
      at: a.at.toISOString(),
      kind: "activity" as const,
      title: `${a.action.replace(/^contact\./, "").replace(/_/g, " ")} by ${a.actorName}`,
      detail: a.after ? Object.keys(a.after).join(", ") : null,
      href: null,
    })),
  ].sort((a, b) => b.at.localeCompare(a.at));
  return {
    contact: toContactResponse(contact),
    conversations: conversations.map(toConversationResponse),
    consentHistory: consent.map((e) => ({ at: e.at.toISOString(), state: e.state, channel: e.channel, source: e.source, detail: e.detail })),
    timeline,
    /** Merges into this contact that can still be undone. */
    merges: merges
      .filter((m) => m.status === "done" && m.undoUntil > new Date())
      .map((m) => ({ id: m._id.toHexString(), name: m.merged.name ?? m.merged.profileName ?? m.merged.phone ?? "a contact", at: m.createdAt.toISOString(), undoUntil: m.undoUntil.toISOString() })),
  };
}
export type ContactProfile = Awaited<ReturnType<typeof contactProfile>>;
