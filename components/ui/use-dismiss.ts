"use client";

import { useEffect, type RefObject } from "react";

/**
 * Closes a pop-up the ways people expect: Escape, a click or tap outside it, and focus moving
 * elsewhere (Tab away, or a modal dialog such as the keyboard shortcuts taking focus). `ref` wraps
 * the pop-up and the control that opened it, so using them does not count as outside.
 */
export function useDismiss(ref: RefObject<HTMLElement | null>, open: boolean, onDismiss: () => void) {
  useEffect(() => {
    if (!open) return;
    const outside = (target: EventTarget | null) => target instanceof Node && !ref.current?.contains(target);
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      e.stopPropagation();
      onDismiss();
    };
    const onPointer = (e: PointerEvent) => outside(e.target) && onDismiss();
    const onFocus = (e: FocusEvent) => outside(e.target) && onDismiss();
    document.addEventListener("keydown", onKey, true);
    document.addEventListener("pointerdown", onPointer, true);
    document.addEventListener("focusin", onFocus, true);
    return () => {
      document.removeEventListener("keydown", onKey, true);
      document.removeEventListener("pointerdown", onPointer, true);
      document.removeEventListener("focusin", onFocus, true);
    };
  }, [ref, open, onDismiss]);
}
