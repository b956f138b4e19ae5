/**
 * Keyboard shortcuts, pure: bindings are key sequences such as `g d` or `?`; feed keys one at a
 * time and get the binding they complete. A prefix (`g`) waits for the next key; anything that
 * fits no binding starts over.
 */

export interface Binding<A> {
  /** Keys separated by spaces: `g d`, `?`, `j`. */
  keys: string;
  action: A;
}

export interface KeySequencer<A> {
  /** The action a key completes, or undefined (a prefix pending, or nothing). */
  feed(key: string): A | undefined;
  /** Whether a prefix is waiting for its next key. */
  pending(): boolean;
  reset(): void;
}

export function createKeySequencer<A>(bindings: readonly Binding<A>[]): KeySequencer<A> {
  const table = bindings.map((b) => ({ seq: b.keys.split(" ").filter((k) => k !== ""), action: b.action }));
  let typed: string[] = [];
  const fits = (keys: string[]) => table.filter((b) => keys.every((k, i) => b.seq[i] === k));

  function feed(key: string): A | undefined {
    let keys = [...typed, key];
    let candidates = fits(keys);
    if (candidates.length === 0 && typed.length > 0) {
      // Start over from this key: `g x d` should not lose the `d`.
      keys = [key];
      candidates = fits(keys);
    }
    const done = candidates.find((b) => b.seq.length === keys.length);
    if (done) {
      typed = [];
      return done.action;
    }
    typed = candidates.length > 0 ? keys : [];
    return undefined;
  }

  return { feed, pending: () => typed.length > 0, reset: () => (typed = []) };
}

/** Whether a key event comes from somewhere typing happens (shortcuts stay out of the way there). */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as { tagName?: unknown; isContentEditable?: unknown } | null;
  if (!el || typeof el.tagName !== "string") return false;
  const tag = el.tagName.toLowerCase();
  return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable === true;
}

/** The next index for j/k (down/up) in a list of `count`, from `current` (-1 = none yet). */
export function stepIndex(current: number, count: number, delta: 1 | -1): number {
  if (count <= 0) return -1;
  if (current < 0) return delta > 0 ? 0 : count - 1;
  return Math.min(count - 1, Math.max(0, current + delta));
}
