import type { AgentEvent } from "@flotilla/protocol";
import type { Store } from "../store/index.js";

const FLUSH_MS = 100;
const FLUSH_ITEMS = 500;
/** At most this many output lines of one run are stored; the rest are counted. */
const MAX_STORED_LINES = 20_000;

type Item = { kind: "event"; event: AgentEvent } | { kind: "line"; stream: "stdout" | "stderr"; line: string };

/**
 * Streams one run's agent events and output into the store in batches (one transaction per
 * flush), so a chatty agent costs few writes, and listeners see them in order.
 */
export function createEventSink(store: Store, taskId: string, runId: string) {
  let buffer: Item[] = [];
  let timer: NodeJS.Timeout | undefined;
  let storedLines = 0;
  let droppedLines = 0;

  function schedule(): void {
    if (buffer.length >= FLUSH_ITEMS) flush();
    else timer ??= setTimeout(flush, FLUSH_MS);
  }

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0) return;
    const items = buffer;
    buffer = [];
    store.write((ctx) => {
      let lines: string[] = [];
      let stream: "stdout" | "stderr" = "stdout";
      const flushLines = () => {
        if (lines.length) ctx.emit({ type: "run.output", taskId, runId, stream, lines });
        lines = [];
      };
      for (const item of items) {
        if (item.kind === "line") {
          if (item.stream !== stream) flushLines();
          stream = item.stream;
          lines.push(item.line);
          continue;
        }
        flushLines();
        const e = item.event;
        if (e.type === "session") ctx.runs.patch(runId, { sessionId: e.sessionId });
        if (e.type === "usage") ctx.runs.addUsage(runId, e);
        ctx.emit({ type: "run.agent-event", taskId, runId, event: e });
      }
      flushLines();
    });
  }

  return {
    event(event: AgentEvent): void {
      buffer.push({ kind: "event", event });
      // Session ids and questions matter at once (a crash right after must not lose them).
      if (event.type === "session" || event.type === "question" || event.type === "permission_request") flush();
      else schedule();
    },
    output(stream: "stdout" | "stderr", line: string): void {
      if (storedLines >= MAX_STORED_LINES) {
        droppedLines++;
        return;
      }
      storedLines++;
      buffer.push({ kind: "line", stream, line });
      schedule();
    },
    /** Writes what is buffered, with a note of how many output lines were not stored. */
    close(): void {
      if (droppedLines > 0) {
        buffer.push({
          kind: "line",
          stream: "stderr",
          line: `[flotilla] ${droppedLines} more output lines were not stored`,
        });
        droppedLines = 0;
      }
      flush();
    },
  };
}
