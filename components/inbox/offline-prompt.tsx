"use client";

import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { announceAvailability, AVAILABILITY_EVENT } from "@/components/shell/availability-event";
import { sendJson } from "@/lib/swr/fetcher";
import type { Availability } from "@/lib/schemas/user";

/**
 * Shown at the top of the inbox to an agent who is offline (new users start offline): round-robin
 * assignment skips them, which is easy to miss. One click sets them online
 * through the same API as the availability menu; "Not now" hides it until the next visit.
 */
export function OfflinePrompt() {
  const [state, setState] = useState<"shown" | "saving" | "hidden">("shown");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    // Going online from the header's availability menu answers the prompt too.
    const onChange = (e: Event) => (e as CustomEvent<Availability>).detail !== "offline" && setState("hidden");
    window.addEventListener(AVAILABILITY_EVENT, onChange);
    return () => window.removeEventListener(AVAILABILITY_EVENT, onChange);
  }, []);

  if (state === "hidden") return null;

  async function goOnline() {
    setState("saving");
    setError(null);
    try {
      await sendJson("/api/me/availability", "PUT", { availability: "online" });
      announceAvailability("online");
      setState("hidden");
    } catch (err) {
      setError((err as Error).message);
      setState("shown");
    }
  }

  return (
    <section aria-label="You are offline" className="border-b border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900" data-testid="offline-prompt">
      <p>
        <strong>You’re offline</strong> — customers won’t be assigned to you.
      </p>
      <div className="mt-1.5 flex items-center gap-2">
        <Button type="button" onClick={() => void goOnline()} disabled={state === "saving"}>
          {state === "saving" ? "Going online…" : "Go online"}
        </Button>
        <Button type="button" variant="ghost" onClick={() => setState("hidden")}>
          Not now
        </Button>
      </div>
      {error && (
        <p role="alert" className="mt-1 text-xs text-red-700">
          {error}
        </p>
      )}
    </section>
  );
}
