import { useEffect, useRef, useState } from "react";
import { createKeySequencer, isTypingTarget, stepIndex, type Binding } from "./keymap.js";

/** How long a prefix key (`g`) waits for the next one. */
const PREFIX_MS = 1200;

/**
 * Global shortcuts while mounted. Keys typed in inputs, or with Ctrl/Meta/Alt, are left alone;
 * bindings may change between renders (the latest are used).
 */
export function useShortcuts(bindings: readonly Binding<() => void>[]): void {
  const ref = useRef(bindings);
  ref.current = bindings;
  useEffect(() => {
    let sequencer = createKeySequencer(ref.current);
    let seen = ref.current;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return;
      if (document.querySelector("[aria-modal='true']")) return;
      if (e.key === "Enter" && isActivatable(e.target)) return;
      if (seen !== ref.current) {
        seen = ref.current;
        sequencer = createKeySequencer(seen);
      }
      const action = sequencer.feed(e.key);
      if (timer !== undefined) clearTimeout(timer);
      if (sequencer.pending()) timer = setTimeout(() => sequencer.reset(), PREFIX_MS);
      if (action) {
        e.preventDefault();
        action();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => {
      window.removeEventListener("keydown", onKey);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, []);
}

/**
 * j/k move a selection through a list of `count`; Enter opens the selected one.
 * Returns the selected index and its setter (for mouse hover/click).
 */
export function useListKeys(count: number, onOpen: (index: number) => void): [number, (i: number) => void] {
  const [index, setIndex] = useState(-1);
  const countRef = useRef(count);
  countRef.current = count;
  const indexRef = useRef(index);
  indexRef.current = index;
  const openRef = useRef(onOpen);
  openRef.current = onOpen;
  useShortcuts([
    { keys: "j", action: () => setIndex((i) => stepIndex(i, countRef.current, 1)) },
    { keys: "k", action: () => setIndex((i) => stepIndex(i, countRef.current, -1)) },
    {
      keys: "Enter",
      action: () => {
        if (indexRef.current >= 0 && indexRef.current < countRef.current) openRef.current(indexRef.current);
      },
    },
  ]);
  useEffect(() => {
    if (index >= count) setIndex(count - 1);
  }, [count, index]);
  useEffect(() => {
    if (index < 0) return;
    document.querySelector(`[data-list-index="${index}"]`)?.scrollIntoView({ block: "nearest" });
  }, [index]);
  return [index, setIndex];
}

/** A link or button: Enter on it does its own thing. */
function isActivatable(target: EventTarget | null): boolean {
  const tag = (target as { tagName?: unknown } | null)?.tagName;
  return typeof tag === "string" && ["a", "button", "summary"].includes(tag.toLowerCase());
}
