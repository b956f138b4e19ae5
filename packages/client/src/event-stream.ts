import { FlotillaEventSchema } from "@flotilla/protocol";
import { ClientError } from "./client-error.js";
import type { EventStreamOptions, StreamMessage } from "./client.js";
import { createSseParser, type SseMessage } from "./sse-parser.js";
import { SnapshotSchema } from "./wire-responses.js";

export interface EventStreamSource {
  /** The stream's URL (`…/events`). */
  url: string;
  headers: Record<string, string>;
  fetch: typeof fetch;
  /** How long to wait before reconnecting (the server's `retry:` wins); default 1000 ms. */
  retryMs?: number;
}

/**
 * Reads `GET /events` from a fetch stream (Node and browsers alike) and reconnects by itself
 * with `Last-Event-ID` set to the last seq it delivered, so each event is delivered once, in
 * order, across drops. Stops for good on a 4xx (a wrong token will not become right). Returns
 * an unsubscribe.
 */
export function openEventStream(
  source: EventStreamSource,
  since: number | undefined,
  onMessage: (message: StreamMessage) => void,
  options: EventStreamOptions = {},
): () => void {
  const controller = new AbortController();
  let lastSeq = since;
  let retryMs = source.retryMs ?? 1000;

  const deliver = (m: SseMessage): void => {
    const value: unknown = JSON.parse(m.data);
    if (m.event === "snapshot") {
      const snapshot = SnapshotSchema.parse(value);
      lastSeq = snapshot.seq;
      onMessage({ kind: "snapshot", snapshot });
      return;
    }
    const event = FlotillaEventSchema.parse(value);
    if (lastSeq !== undefined && event.seq <= lastSeq) return;
    lastSeq = event.seq;
    onMessage({ kind: "event", event });
  };

  async function connectOnce(): Promise<"again" | "stop"> {
    const headers: Record<string, string> = { ...source.headers, accept: "text/event-stream" };
    if (lastSeq !== undefined) headers["last-event-id"] = String(lastSeq);
    const res = await source.fetch(source.url, { headers, signal: controller.signal });
    if (!res.ok || !res.body) {
      const body: unknown = await res.json().catch(() => undefined);
      options.onError?.(ClientError.fromBody(res.status, body));
      return res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429 ? "stop" : "again";
    }
    const parser = createSseParser({
      onMessage: (m) => {
        try {
          deliver(m);
        } catch (err) {
          options.onError?.(err);
        }
      },
      onRetry: (ms) => (retryMs = ms),
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parser.push(decoder.decode(value, { stream: true }));
    }
    options.onError?.(new ClientError("internal", "the event stream ended; reconnecting", 0, {}, true));
    return "again";
  }

  void (async () => {
    while (!controller.signal.aborted) {
      let next: "again" | "stop" = "again";
      try {
        next = await connectOnce();
      } catch (err) {
        if (controller.signal.aborted) return;
        options.onError?.(err);
      }
      if (next === "stop" || controller.signal.aborted) return;
      await sleep(retryMs, controller.signal);
    }
  })();

  return () => controller.abort();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
