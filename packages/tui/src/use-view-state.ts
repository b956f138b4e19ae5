import { useEffect, useRef, useState } from "react";
import { initialViewState, reduce, type FlotillaClient, type StreamMessage, type ViewState } from "@flotilla/client";
import { backfillOutput } from "./backfill.js";
import { createBatcher } from "./throttle.js";

export interface LiveView {
  /** Undefined until the snapshot has arrived. */
  state: ViewState | undefined;
  /** The last failure to load or to stream (the stream reconnects on its own over HTTP). */
  error: string | undefined;
  /** How many times the view state was published (one React update each). */
  flushes: number;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The client subscription: a snapshot, then `client.events(seq)` through the one reducer.
 * Incoming messages are batched and published at most once per `throttleMs`.
 */
export function useViewState(client: FlotillaClient, throttleMs = 100): LiveView {
  const [live, setLive] = useState<LiveView>({ state: undefined, error: undefined, flushes: 0 });
  const stateRef = useRef<ViewState | undefined>(undefined);
  useEffect(() => {
    let closed = false;
    let unsubscribe: (() => void) | undefined;
    const batcher = createBatcher<StreamMessage>((messages) => {
      let s = stateRef.current;
      for (const m of messages) {
        if (m.kind === "snapshot") s = initialViewState(m.snapshot);
        else if (s) s = reduce(s, m.event);
      }
      if (closed || s === stateRef.current) return;
      stateRef.current = s;
      setLive((prev) => ({ state: s, error: prev.error, flushes: prev.flushes + 1 }));
    }, throttleMs);
    client
      .snapshot()
      .then(async (snapshot) => {
        const s = await backfillOutput(client, initialViewState(snapshot));
        if (closed) return;
        stateRef.current = s;
        setLive((prev) => ({ state: s, error: undefined, flushes: prev.flushes + 1 }));
        unsubscribe = client.events(snapshot.seq, (m) => batcher.push(m), {
          onError: (err) => !closed && setLive((prev) => ({ ...prev, error: `event stream: ${messageOf(err)}` })),
        });
      })
      .catch((err: unknown) => {
        if (!closed) setLive((prev) => ({ ...prev, error: messageOf(err) }));
      });
    return () => {
      closed = true;
      batcher.cancel();
      unsubscribe?.();
    };
  }, [client, throttleMs]);
  return live;
}
