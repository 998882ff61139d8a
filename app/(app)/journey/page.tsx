import type { Metadata } from "next";
import { JourneyBoardView } from "@/components/journey/journey-board";
import { can } from "@/lib/auth/permissions";
import { requirePageUser } from "@/lib/auth/session";
import { journeyBoard } from "@/lib/journey/board";
import { contactListQuery } from "@/lib/schemas/contact-directory";
import { listAssignees } from "@/lib/team/users";

export const metadata: Metadata = { title: "Customer journey" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** The journey board, server-rendered with the URL's filter; the client moves cards and refilters. */
export default async function JourneyPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requirePageUser("view:contacts");
  const raw = await searchParams;
  const filter = typeof raw.filter === "string" ? raw.filter : undefined;
  const parsed = contactListQuery.pick({ filter: true }).safeParse({ filter });
  const [board, owners] = await Promise.all([
    journeyBoard(user.orgId, parsed.success ? (parsed.data.filter ?? null) : null),
    listAssignees(user.orgId).then((a) => a.map(({ id, name }) => ({ id, name }))),
  ]);
  return (
    <JourneyBoardView
      initialBoard={board}
      initialFilter={parsed.success ? (filter ?? null) : null}
      filterError={parsed.success ? null : (parsed.error.issues[0]?.message ?? "is not valid")}
      owners={owners}
      canMove={can(user.role, "manage:contacts")}
    />
  );
}
