"use client";

import { useState } from "react";

/** Enable or disable a trigger in place; the switch goes back with a message if the server refuses. */
export function AutomationToggle({ id, name, active }: { id: string; name: string; active: boolean }) {
  const [on, setOn] = useState(active);
  const [error, setError] = useState<string | null>(null);
  async function toggle() {
    const next = !on;
    setOn(next);
    setError(null);
    const res = await fetch(`/api/automations/${id}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ active: next }) });
    if (!res.ok) {
      setOn(!next);
      setError((await res.json().catch(() => ({}))).error?.message ?? "Could not change it");
    }
  }
  return (
    <span className="inline-flex items-center gap-2">
      <input type="checkbox" role="switch" checked={on} onChange={toggle} aria-label={`${name} enabled`} />
      {error && <span role="alert" className="text-xs text-red-700">{error}</span>}
    </span>
  );
}
