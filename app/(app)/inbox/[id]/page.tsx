import { ObjectId } from "mongodb";
import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { ConversationView } from "@/components/inbox/conversation-view";
import { ApiError } from "@/lib/api/errors";
import { can } from "@/lib/auth/permissions";
import { requirePageUser } from "@/lib/auth/session";
import { getThread } from "@/lib/inbox/list-messages";
import { toConversationResponse } from "@/lib/inbox/responses";

export const metadata: Metadata = { title: "Inbox" };

export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePageUser("read:conversations");
  const { id } = await params;
  if (!ObjectId.isValid(id) || id.length !== 24) notFound();
  let thread;
  try {
    thread = await getThread(user, new ObjectId(id), { limit: 50 });
  } catch (err) {
    if (err instanceof ApiError && err.code === "forbidden") forbidden();
    if (err instanceof ApiError && err.code === "not_found") notFound();
    throw err;
  }
  const { conversation, page } = thread;
  return (
    <ConversationView
      key={id}
      initialConversation={toConversationResponse(conversation)}
      initialPage={page}
      me={{
        id: user._id.toHexString(),
        name: user.name,
        canWrite: can(user.role, "write:messages"),
        canAssignOthers: can(user.role, "assign:conversations"),
        canEditContacts: can(user.role, "manage:customers"),
        canManageTickets: can(user.role, "manage:tickets"),
      }}
    />
  );
}
