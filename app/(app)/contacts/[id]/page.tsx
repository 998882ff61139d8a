import type { Metadata } from "next";
import { ObjectId } from "mongodb";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ContactProfileEditor } from "@/components/contacts/contact-profile-editor";
import { LeadScoreCard } from "@/components/contacts/lead-score-card";
import { ContactJourneyCard } from "@/components/journey/contact-journey-card";
import { AddNoteForm } from "@/components/contacts/add-note-form";
import { UndoMergeButton } from "@/components/contacts/undo-merge-button";
import { NewTicketForm } from "@/components/tickets/new-ticket-form";
import { ApiError } from "@/lib/api/errors";
import { can } from "@/lib/auth/permissions";
import { requirePageUser } from "@/lib/auth/session";
import { describeConsent } from "@/lib/contacts/consent-label";
import { contactProfile, type ContactProfile } from "@/lib/contacts/profile";
import { listCustomFields } from "@/lib/contacts/custom-fields";
import { getContactJourney } from "@/lib/journey/journey";
import { getLeadScore } from "@/lib/scoring/scores";
import { listAssignees } from "@/lib/team/users";

export const metadata: Metadata = { title: "Contact" };

function when(iso: string) {
  return new Date(iso).toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** One customer's page: their details, consent and everything that happened with them, newest first. */
export default async function ContactPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser("view:contacts");
  const { id } = await params;
  if (!ObjectId.isValid(id) || id.length !== 24) notFound();
  let profile: ContactProfile;
  const [owners, definitions, leadScore, journey] = await Promise.all([
    listAssignees(user.orgId).then((a) => a.map((o) => ({ id: o.id, name: o.name }))),
    listCustomFields(user.orgId),
    getLeadScore(user.orgId, new ObjectId(id)),
    // A missing contact is the profile's 404 below.
    getContactJourney(user.orgId, new ObjectId(id)).catch(() => null),
  ]);
  const customFields = definitions.map((d) => ({ key: d.key, label: d.label, type: d.type, options: d.options, required: d.required }));
  try {
    profile = await contactProfile(user.orgId, new ObjectId(id));
  } catch (err) {
    if (err instanceof ApiError && err.code === "not_found") notFound();
    throw err;
  }
  const { contact, timeline, consentHistory, merges } = profile;
  const canManage = can(user.role, "manage:contacts");
  return (
    <div className="mx-auto max-w-5xl space-y-4">
      <Link href="/contacts" className="text-sm text-brand-700 hover:underline">
        ← Contacts
      </Link>
      <div className="grid gap-4 lg:grid-cols-[20rem_1fr]">
        <ContactProfileEditor contact={contact} canEdit={canManage} owners={owners} customFields={customFields} />
        <div className="space-y-4">
          <LeadScoreCard contactId={contact.id} initial={leadScore} canLock={canManage} />
          {journey && <ContactJourneyCard contactId={contact.id} initial={journey} canMove={canManage} />}
          {merges.length > 0 && (
            <section aria-labelledby="merges-h" className="rounded-lg border border-slate-200 bg-white p-4">
              <h2 id="merges-h" className="text-base font-semibold">
                Merged into this contact
              </h2>
              <ul className="mt-2 space-y-2 text-sm">
                {merges.map((m) => (
                  <li key={m.id} className="flex flex-wrap items-center justify-between gap-2">
                    <span>
                      {m.name} · {when(m.at)} <span className="text-slate-500">(undo until {new Date(m.undoUntil).toLocaleDateString()})</span>
                    </span>
                    {canManage && <UndoMergeButton mergeId={m.id} name={m.name} />}
                  </li>
                ))}
              </ul>
            </section>
          )}
          <section aria-labelledby="consent-h" className="rounded-lg border border-slate-200 bg-white p-4">
            <h2 id="consent-h" className="text-base font-semibold">
              Consent: {describeConsent(contact.consent).state} ({describeConsent(contact.consent).marketing})
            </h2>
            <p className="text-xs text-slate-500">Derived from the ledger below; it changes only with a new entry (a keyword, the customer&apos;s WhatsApp setting, an import or an agent).</p>
            {consentHistory.length === 0 ? (
              <p className="mt-2 text-sm text-slate-500">No consent recorded yet.</p>
            ) : (
              <ul className="mt-2 space-y-1 text-sm">
                {consentHistory.map((e, i) => (
                  <li key={i}>
                    <span className="font-medium">{e.state.replace("_", " ")}</span> ({e.channel}) via {e.source.replace(/_/g, " ")}
                    {e.detail ? `: ${e.detail}` : ""} <span className="text-slate-500">· {when(e.at)}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="timeline-h" className="rounded-lg border border-slate-200 bg-white p-4">
            <h2 id="timeline-h" className="text-base font-semibold">
              Timeline
            </h2>
            <div className="flex flex-wrap items-start gap-3">
              {canManage && <AddNoteForm contactId={contact.id} />}
              {can(user.role, "manage:tickets") && <NewTicketForm contactId={contact.id} />}
            </div>
            {timeline.length === 0 ? (
              <p className="mt-2 text-sm text-slate-500">Nothing yet: no conversation, ticket, consent change or edit.</p>
            ) : (
              <ol className="mt-2 space-y-2" data-testid="contact-timeline">
                {timeline.map((t, i) => (
                  <li key={i} className="border-l-2 border-slate-200 pl-3 text-sm">
                    <div className="text-xs text-slate-500">{when(t.at)}</div>
                    <div className="font-medium">
                      {t.href ? (
                        <Link href={t.href} className="text-brand-700 hover:underline">
                          {t.title}
                        </Link>
                      ) : (
                        t.title
                      )}
                    </div>
                    {t.detail && <div className="text-slate-600">{t.detail}</div>}
                  </li>
                ))}
              </ol>
            )}
          </section>
        </div>
      </div>
    </div>
  );
}
