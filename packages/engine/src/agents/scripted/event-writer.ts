import { once } from "node:events";
import type { AgentEvent } from "@flotilla/protocol";

const BLOCK_BYTES = 64 * 1024;

export interface EventWriter {
  /** Writes one event as a JSON line. */
  emit: (event: AgentEvent) => Promise<void>;
  /** Writes `text` as a raw line `times` times, in blocks, honouring backpressure. */
  printLines: (text: string, times: number) => Promise<void>;
  /** Settles once everything written so far has been handed to the OS. */
  flush: () => Promise<void>;
}

/**
 * The scripted agent's stdout: JSON lines and raw lines. Every write respects backpressure
 * (a `false` from write() waits for 'drain'), so 100 MB of output never piles up in memory,
 * and every block yields to the event loop so SIGINT/SIGTERM are handled promptly.
 */
export function createEventWriter(stream: NodeJS.WritableStream): EventWriter {
  async function write(chunk: string): Promise<void> {
    if (!stream.write(chunk)) await once(stream, "drain");
  }

  return {
    emit: (event) => write(`${JSON.stringify(event)}\n`),
    printLines: async (text, times) => {
      const line = `${text}\n`;
      const perBlock = Math.max(1, Math.floor(BLOCK_BYTES / Math.max(1, line.length)));
      const block = line.repeat(perBlock);
      let left = times;
      while (left > 0) {
        const n = Math.min(left, perBlock);
        await write(n === perBlock ? block : line.repeat(n));
        left -= n;
        await new Promise<void>((r) => setImmediate(r));
      }
    },
    flush: () => new Promise<void>((r) => stream.write("", () => r())),
  };
}
