/**
 * A minimal server-sent-events reader, as an API client parses a stream: events are separated by a
 * blank line; `event:` names one; its `data:` lines are joined by newlines. For tests that talk to
 * the mock (or any SSE endpoint) with fetch.
 */

export interface SseEvent {
  /** The `event:` name, if the event had one (Anthropic and Responses streams do; Chat Completions do not). */
  event?: string;
  /** The raw data. */
  data: string;
  /** The data parsed as JSON, or undefined when it is not JSON (e.g. `[DONE]`). */
  json?: unknown;
}

export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.replace(/\r\n/g, "\n").split("\n\n")) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length === 0 && event === undefined) continue;
    const raw = data.join("\n");
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    events.push({ ...(event !== undefined ? { event } : {}), data: raw, ...(json !== undefined ? { json } : {}) });
  }
  return events;
}

/** Reads a fetch response's whole body as server-sent events. */
export async function readSse(response: Response): Promise<SseEvent[]> {
  return parseSse(await response.text());
}
