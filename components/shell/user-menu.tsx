"use client";

import Link from "next/link";
import { signOut } from "next-auth/react";
import { useEffect, useState } from "react";
import { sendJson } from "@/lib/swr/fetcher";
import { availabilities, type Availability } from "@/lib/schemas/user";
import { announceAvailability, AVAILABILITY_EVENT } from "./availability-event";

const dot: Record<Availability, string> = { online: "bg-green-500", away: "bg-amber-400", busy: "bg-red-500", offline: "bg-slate-400" };

export function UserMenu({ name, role, availability: initial }: { name: string; role: string; availability: Availability }) {
  const [availability, setAvailability] = useState(initial);
  const [error, setError] = useState<string | null>(null);

  // The inbox's "Go online" prompt changes it too.
  useEffect(() => {
    const onChange = (e: Event) => setAvailability((e as CustomEvent<Availability>).detail);
    window.addEventListener(AVAILABILITY_EVENT, onChange);
    return () => window.removeEventListener(AVAILABILITY_EVENT, onChange);
  }, []);

  async function change(next: Availability) {
    const previous = availability;
    setAvailability(next);
    setError(null);
    try {
      await sendJson("/api/me/availability", "PUT", { availability: next });
      announceAvailability(next);
    } catch (err) {
      setAvailability(previous);
      setError((err as Error).message);
    }
  }

  return (
    <div className="flex items-center gap-3">
      <div className="text-right leading-tight">
        <div className="font-medium">{name}</div>
        <div className="text-xs capitalize text-slate-500">{role}</div>
      </div>
      <label className="flex items-center gap-1.5">
        <span className={`h-2.5 w-2.5 rounded-full ${dot[availability]}`} aria-hidden />
        <span className="sr-only">Availability</span>
        <select
          value={availability}
          onChange={(e) => change(e.target.value as Availability)}
          className="rounded-md border border-slate-300 bg-white px-1.5 py-1 text-xs capitalize"
        >
          {availabilities.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </label>
      {error && <span role="alert" className="text-xs text-red-600">{error}</span>}
      <Link href="/account" className="rounded-md px-2 py-1 text-slate-600 hover:bg-slate-100">
        Account
      </Link>
      <button onClick={() => signOut({ callbackUrl: "/sign-in" })} className="rounded-md px-2 py-1 text-slate-600 hover:bg-slate-100">
        Sign out
      </button>
    </div>
  );
}
