"use client";

import { useCallback, useState } from "react";

/**
 * The state of one button's request: busy while it runs, and the API's message when it fails (so
 * the form shows it and keeps what was typed). `run` resolves to the result, or undefined after a
 * failure.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (err) {
      setError((err as Error).message);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}
