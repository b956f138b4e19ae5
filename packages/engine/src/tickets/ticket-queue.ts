/**
 * Ready work in the order it should start: higher priority first, then the oldest, then by id
 * (so the order is total and the same on every run). Pure: no I/O, no clock.
 */

export interface QueueItem {
  id: string;
  priority: number;
  /** When it was queued: epoch milliseconds or an ISO 8601 time. */
  queuedAt: number | string;
}

/** Negative when `a` should start before `b`. */
export function compareReady(a: QueueItem, b: QueueItem): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  const age = toMs(a.queuedAt) - toMs(b.queuedAt);
  if (age !== 0) return age;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** `items` in start order (a new array). */
export function orderReady<T extends QueueItem>(items: readonly T[]): T[] {
  return [...items].sort(compareReady);
}

export interface TicketQueue<T extends QueueItem> {
  readonly size: number;
  /** Adds an item; one with the same id is replaced (a changed priority moves it). */
  push(item: T): void;
  /** Takes the item that should start next. */
  pop(): T | undefined;
  peek(): T | undefined;
  /** Removes the item with this id; false when there was none. */
  remove(id: string): boolean;
  has(id: string): boolean;
  /** Every item in start order, leaving the queue as it is. */
  toArray(): T[];
}

/** A binary heap keyed by compareReady. */
export function createTicketQueue<T extends QueueItem>(initial: Iterable<T> = []): TicketQueue<T> {
  const heap: T[] = [];
  const before = (i: number, j: number) => compareReady(heap[i] as T, heap[j] as T) < 0;
  const swap = (i: number, j: number) => {
    const t = heap[i] as T;
    heap[i] = heap[j] as T;
    heap[j] = t;
  };
  const up = (i: number) => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(i, parent)) return;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < heap.length && before(l, best)) best = l;
      if (r < heap.length && before(r, best)) best = r;
      if (best === i) return;
      swap(i, best);
      i = best;
    }
  };
  const removeAt = (i: number): T => {
    const item = heap[i] as T;
    const last = heap.pop() as T;
    if (i < heap.length) {
      heap[i] = last;
      up(i);
      down(i);
    }
    return item;
  };
  const indexOf = (id: string) => heap.findIndex((x) => x.id === id);

  const queue: TicketQueue<T> = {
    get size() {
      return heap.length;
    },
    push(item) {
      const at = indexOf(item.id);
      if (at >= 0) removeAt(at);
      heap.push(item);
      up(heap.length - 1);
    },
    pop: () => (heap.length === 0 ? undefined : removeAt(0)),
    peek: () => heap[0],
    remove(id) {
      const at = indexOf(id);
      if (at < 0) return false;
      removeAt(at);
      return true;
    },
    has: (id) => indexOf(id) >= 0,
    toArray: () => orderReady(heap),
  };
  for (const item of initial) queue.push(item);
  return queue;
}

function toMs(t: number | string): number {
  if (typeof t === "number") return t;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}
