import { useEffect, useRef, useState } from "react";
import { appendToTranscript, type Transcript } from "@flotilla/client";
import type { FlotillaEvent } from "@flotilla/protocol";
import { useClient, useFlotillaEvents } from "./flotilla.js";
import { messageOf } from "./live-store.js";

export interface LiveTranscript {
  transcript: Transcript | undefined;
  error: string | undefined;
  reload: () => void;
}

/**
 * Folds events into a fetched transcript with the client's `appendToTranscript`: events that
 * arrived while it loaded are applied after it (those at or below its `lastSeq` change nothing),
 * so the chat neither misses nor repeats anything.
 */
export function foldPending(transcript: Transcript, pending: readonly FlotillaEvent[]): Transcript {
  let t = transcript;
  for (const e of pending) t = appendToTranscript(t, e);
  return t;
}

/** A task's conversation: `client.transcript(taskId)`, then the live events of the one stream. */
export function useTranscript(taskId: string): LiveTranscript {
  const client = useClient();
  const [state, setState] = useState<{ taskId: string; transcript?: Transcript; error?: string }>({ taskId });
  const pending = useRef<FlotillaEvent[] | undefined>([]);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    pending.current = [];
    setState({ taskId });
    client.transcript(taskId).then(
      (t) => {
        if (!live) return;
        const folded = foldPending(t, pending.current ?? []);
        pending.current = undefined;
        setState({ taskId, transcript: folded });
      },
      (err: unknown) => live && setState({ taskId, error: messageOf(err) }),
    );
    return () => {
      live = false;
    };
  }, [client, taskId, attempt]);

  useFlotillaEvents((e) => {
    const p = e.payload;
    if (!("taskId" in p) || p.taskId !== taskId) return;
    if (pending.current) pending.current.push(e);
    else
      setState((s) =>
        s.transcript && s.taskId === taskId ? { ...s, transcript: appendToTranscript(s.transcript, e) } : s,
      );
  });

  const fresh = state.taskId === taskId;
  return {
    transcript: fresh ? state.transcript : undefined,
    error: fresh ? state.error : undefined,
    reload: () => setAttempt((a) => a + 1),
  };
}
