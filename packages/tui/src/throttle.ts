/**
 * Coalesces a burst of items into one flush, at most once per `intervalMs`. The first item after
 * a quiet spell is flushed on the next tick (never synchronously), so a synchronous burst of any
 * size ends in one flush; a steady stream flushes about 1000 / intervalMs times a second.
 */
export interface Batcher<T> {
  push(item: T): void;
  /** Drops what is pending and stops the timer. */
  cancel(): void;
}

export function createBatcher<T>(
  flush: (items: T[]) => void,
  intervalMs: number,
  now: () => number = Date.now,
): Batcher<T> {
  let pending: T[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastFlush = -Infinity;
  const run = () => {
    timer = undefined;
    lastFlush = now();
    const items = pending;
    pending = [];
    if (items.length > 0) flush(items);
  };
  return {
    push(item) {
      pending.push(item);
      if (timer === undefined) timer = setTimeout(run, Math.max(0, lastFlush + intervalMs - now()));
    },
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      pending = [];
    },
  };
}
