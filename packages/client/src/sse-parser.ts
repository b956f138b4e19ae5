/** One dispatched server-sent event. */
export interface SseMessage {
  event: string;
  data: string;
  /** The last `id:` seen so far in the stream (the spec's "last event ID"), if any. */
  id: string | undefined;
}

/**
 * An incremental parser of `text/event-stream` (the WHATWG rules: `\n`, `\r\n` or `\r` line ends,
 * `:` comments, `event` / `data` / `id` / `retry` fields, a blank line dispatches). Feed it
 * decoded text in chunks of any size; it calls `onMessage` per event and `onRetry` per `retry:`.
 */
export function createSseParser(handlers: {
  onMessage: (message: SseMessage) => void;
  onRetry?: (ms: number) => void;
}): { push(text: string): void } {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let hasData = false;
  let lastId: string | undefined;
  let pendingCr = false;

  function line(l: string): void {
    if (l === "") {
      if (hasData) handlers.onMessage({ event: event || "message", data: data.join("\n"), id: lastId });
      event = "";
      data = [];
      hasData = false;
      return;
    }
    if (l.startsWith(":")) return;
    const colon = l.indexOf(":");
    const field = colon === -1 ? l : l.slice(0, colon);
    let value = colon === -1 ? "" : l.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        event = value;
        break;
      case "data":
        data.push(value);
        hasData = true;
        break;
      case "id":
        if (!value.includes("\0")) lastId = value;
        break;
      case "retry":
        if (/^\d+$/.test(value)) handlers.onRetry?.(Number(value));
        break;
    }
  }

  return {
    push(text) {
      buffer += text;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer[i];
        if (c === "\n" && pendingCr) {
          // the \n of a \r\n whose \r ended the previous chunk
          pendingCr = false;
          start = i + 1;
          continue;
        }
        pendingCr = false;
        if (c === "\n" || c === "\r") {
          line(buffer.slice(start, i));
          if (c === "\r") {
            if (i + 1 < buffer.length) {
              if (buffer[i + 1] === "\n") i++;
            } else pendingCr = true;
          }
          start = i + 1;
        }
      }
      buffer = buffer.slice(start);
    },
  };
}
