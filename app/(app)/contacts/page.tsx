import type { Metadata } from "next";
import { ContactsDirectory } from "@/components/contacts/contacts-directory";
import { can } from "@/lib/auth/permissions";
import { requirePageUser } from "@/lib/auth/session";
import { stageLabels } from "@/lib/schemas/journey";
import { getSettings } from "@/lib/settings/settings";
import { listContacts } from "@/lib/contacts/directory";
import { resolveListQuery } from "@/lib/contacts/list-query";
import { listContactLists, toContactListResponse } from "@/lib/contacts/lists";
import { listSegments, toSegmentResponse } from "@/lib/contacts/segments/store";
import { tagColorMap } from "@/lib/contacts/tags";
import { listAssignees } from "@/lib/team/users";
import { toContactResponse } from "@/lib/contacts/contacts";
import { contactListQuery, contactListSearch } from "@/lib/schemas/contact-directory";

export const metadata: Metadata = { title: "Contacts" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Server-rendered first page of the directory; the client takes over for search, filters and more pages. */
export default async function ContactsPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requirePageUser("view:contacts");
  const raw = Object.fromEntries(Object.entries(await searchParams).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])));
  const parsed = contactListQuery.safeParse(raw);
  const [segments, lists, tagColors, owners, settings] = await Promise.all([
    listSegments(user.orgId).then((s) => s.map(toSegmentResponse)),
    listContactLists(user.orgId).then((l) => l.map(toContactListResponse)),
    tagColorMap(user.orgId),
    listAssignees(user.orgId).then((a) => a.map(({ id, name }) => ({ id, name }))),
    getSettings(user.orgId),
  ]);
  let initialPage = { contacts: [] as ReturnType<typeof toContactResponse>[], nextCursor: null as string | null };
  // Matches no client query unless the first page below was rendered.
  let renderedQuery = "\u0000";
  // A bad URL (an old filter, a deleted segment) renders the page; the client shows the API's message.
  if (parsed.success) {
    try {
      const page = await listContacts(user.orgId, await resolveListQuery(user.orgId, { ...parsed.data, cursor: undefined }));
      initialPage = { contacts: page.contacts.map(toContactResponse), nextCursor: page.nextCursor };
      renderedQuery = contactListSearch({ q: parsed.data.q, sort: parsed.data.sort, filter: raw.filter, segmentId: parsed.data.segmentId });
    } catch {
      // Left to the client, which shows the API's message for the same query.
    }
  }
  return <ContactsDirectory segments={segments} lists={lists} owners={owners} tagColors={tagColors} stageNames={stageLabels(settings.journeyStageNames)} canManage={can(user.role, "manage:contacts")} initialPage={initialPage} renderedQuery={renderedQuery} />;
}
