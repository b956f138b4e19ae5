import { createContext, useContext, useEffect, useRef, useSyncExternalStore, type ReactNode } from "react";
import type { FlotillaClient, ViewState } from "@flotilla/client";
import type { FlotillaEvent } from "@flotilla/protocol";
import type { LiveSnapshot, LiveStore } from "./live-store.js";

const StoreContext = createContext<LiveStore | undefined>(undefined);

/** Puts the one live store (client + view state) under the app; opens its stream while mounted. */
export function FlotillaProvider({ store, children }: { store: LiveStore; children: ReactNode }) {
  useEffect(() => {
    store.start();
    return () => store.stop();
  }, [store]);
  return <StoreContext.Provider value={store}>{children}</StoreContext.Provider>;
}

export function useStore(): LiveStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error("useStore outside <FlotillaProvider>");
  return store;
}

/** The view state, the connection and the client: what every component reads. */
export function useFlotilla(): LiveSnapshot & { client: FlotillaClient } {
  const store = useStore();
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  return { ...snapshot, client: store.client };
}

/** The client, for actions and per-task data (transcript, diff, inbox…). */
export function useClient(): FlotillaClient {
  return useStore().client;
}

/** The view state; undefined until the first snapshot. */
export function useView(): ViewState | undefined {
  return useFlotilla().view;
}

/**
 * The view state in a view the shell renders (it shows a loading state until the first snapshot,
 * so the views under it always have one).
 */
export function useLiveView(): ViewState {
  const view = useView();
  if (!view) throw new Error("useLiveView before the first snapshot (render views inside <App>)");
  return view;
}

/**
 * Calls `listener` with every event after it was applied to the view (for a per-task fold such
 * as a transcript or a terminal). The latest `listener` is used; it need not be memoized.
 */
export function useFlotillaEvents(listener: (event: FlotillaEvent) => void): void {
  const store = useStore();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => store.onEvent((e) => ref.current(e)), [store]);
}
