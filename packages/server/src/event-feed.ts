import type { Store } from "@flotilla/engine";
import type { FlotillaEvent } from "@flotilla/protocol";

export interface EventFeedOptions {
  store: Store;
  /** The last seq the receiver has: it gets every event after it, each exactly once, in order. */
  after: number;
  send: (event: FlotillaEvent) => void | Promise<void>;
  /** How often the log is read for events other processes wrote (their commits are not heard). */
  pollMs?: number;
  pageSize?: number;
}

export interface EventFeed {
  /** The seq of the last event sent. */
  readonly lastSent: number;
  /** Settles when the feed has stopped (closed, or `send` threw). */
  readonly done: Promise<void>;
  close(): void;
}

/**
 * Delivers the event log after a seq, then live events, with no gap and no duplicate. It
 * subscribes FIRST, then replays from the store; live events are sent straight away only when
 * they follow the last one sent without a hole, otherwise (a hole: another process wrote, or
 * the replay is not done) the missing ones are read from the store. Whatever arrives at or
 * below the last seq sent is dropped. The store's seq is assigned in commit order, so reading
 * `since(lastSent)` never skips an event that commits later.
 */
export function startEventFeed(options: EventFeedOptions): EventFeed {
  const { store, send } = options;
  const pollMs = options.pollMs ?? 1000;
  const pageSize = options.pageSize ?? 1000;
  let lastSent = options.after;
  let pending: FlotillaEvent[] = [];
  let readStore = true;
  let stopped = false;
  let wake: (() => void) | undefined;

  const unsubscribe = store.subscribe((event) => {
    pending.push(event);
    wake?.();
  });

  function next(): FlotillaEvent[] {
    const live = pending.filter((e) => e.seq > lastSent);
    pending = [];
    if (!readStore && follows(live, lastSent)) return live;
    const page = store.read.events.since(lastSent, { limit: pageSize });
    readStore = page.length === pageSize;
    return page;
  }

  const done = (async () => {
    try {
      while (!stopped) {
        const batch = next();
        for (const event of batch) {
          if (stopped) return;
          await send(event);
          lastSent = event.seq;
        }
        if (readStore || pending.length > 0 || stopped) continue;
        const polled = await sleepUntilWoken(pollMs);
        if (polled) readStore = true;
      }
    } finally {
      stopped = true;
      unsubscribe();
    }
  })();

  function sleepUntilWoken(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve(true);
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve(false);
      };
    });
  }

  return {
    get lastSent() {
      return lastSent;
    },
    done,
    close() {
      stopped = true;
      wake?.();
    },
  };
}

/** Whether `events` continue `after` with no hole (seq after+1, after+2, ...). */
function follows(events: readonly FlotillaEvent[], after: number): boolean {
  let expected = after + 1;
  for (const e of events) {
    if (e.seq !== expected) return false;
    expected++;
  }
  return true;
}
