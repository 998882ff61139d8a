import type { Step } from "@/lib/schemas/automation";

/**
 * Where a run is in its steps, as a path: "2" is the third top-level step, "3.replied.0" the first
 * step of the "replied" branch of step 3 (a wait for a reply). The path is the run's cursor and the
 * idempotency key of each step's effect.
 */

type Part = number | "replied" | "timeout";

function parse(path: string): Part[] {
  return path.split(".").map((p) => (p === "replied" || p === "timeout" ? p : Number(p)));
}

function listAt(steps: Step[], parts: Part[]): Step[] | null {
  let list = steps;
  for (let i = 0; i < parts.length - 1; i += 2) {
    const s = list[parts[i] as number];
    if (!s || s.kind !== "wait_for_reply") return null;
    list = s[parts[i + 1] as "replied" | "timeout"];
  }
  return list;
}

export function stepAt(steps: Step[], path: string | null): Step | null {
  if (path === null) return null;
  const parts = parse(path);
  return listAt(steps, parts)?.[parts.at(-1) as number] ?? null;
}

/** The step after `path`: the next in its list, else the one after the wait its branch belongs to. */
export function nextPath(steps: Step[], path: string): string | null {
  const parts = parse(path);
  const list = listAt(steps, parts);
  const i = parts.at(-1) as number;
  if (list && i + 1 < list.length) return [...parts.slice(0, -1), i + 1].join(".");
  if (parts.length === 1) return null;
  return nextPath(steps, parts.slice(0, -2).join("."));
}

/** Where a wait for a reply continues on an outcome: its branch's first step, or past the wait when the branch is empty. */
export function branchPath(steps: Step[], path: string, outcome: "replied" | "timeout"): string | null {
  const s = stepAt(steps, path);
  if (s?.kind !== "wait_for_reply") return null;
  return s[outcome].length ? `${path}.${outcome}.0` : nextPath(steps, path);
}

/** Every step with its path, depth first (validation and the dry run describe them all). */
export function allSteps(steps: Step[], prefix = ""): { path: string; step: Step }[] {
  return steps.flatMap((step, i) => {
    const path = `${prefix}${i}`;
    const own = [{ path, step }];
    if (step.kind !== "wait_for_reply") return own;
    return [...own, ...allSteps(step.replied, `${path}.replied.`), ...allSteps(step.timeout, `${path}.timeout.`)];
  });
}
