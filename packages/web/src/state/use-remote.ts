import { useCallback, useEffect, useRef, useState } from "react";
import { messageOf } from "./live-store.js";

export interface Remote<T> {
  data: T | undefined;
  /** True until the first answer (not during a background reload). */
  loading: boolean;
  error: string | undefined;
  reload: () => void;
}

/**
 * Data fetched from the client (not part of the view state): loaded when `key` changes, and
 * reloaded quietly on `reload()` — a view calls it when the view state says something moved.
 * Answers that arrive out of order are dropped.
 */
export function useRemote<T>(load: () => Promise<T>, key: string): Remote<T> {
  const [state, setState] = useState<{ key: string; data: T | undefined; error: string | undefined }>({
    key,
    data: undefined,
    error: undefined,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const generation = useRef(0);

  const reload = useCallback(() => {
    const mine = ++generation.current;
    loadRef.current().then(
      (data) => mine === generation.current && setState({ key, data, error: undefined }),
      (err: unknown) => mine === generation.current && setState((s) => ({ ...s, key, error: messageOf(err) })),
    );
  }, [key]);

  useEffect(() => {
    reload();
    return () => {
      generation.current++;
    };
  }, [reload]);

  const fresh = state.key === key;
  return {
    data: fresh ? state.data : undefined,
    loading: !fresh || (state.data === undefined && state.error === undefined),
    error: fresh ? state.error : undefined,
    reload,
  };
}

/**
 * Calls `fn` at most once per `ms` after `signal` changes (a view state slice's identity, a seq):
 * how views refresh their fetched data when the live state moves. Never starved by a busy stream.
 */
export function useOnChange(signal: unknown, fn: () => void, ms = 500): void {
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const first = useRef(true);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      fnRef.current();
    }, ms);
  }, [signal, ms]);
  useEffect(
    () => () => {
      if (timer.current !== undefined) clearTimeout(timer.current);
      timer.current = undefined;
    },
    [],
  );
}
