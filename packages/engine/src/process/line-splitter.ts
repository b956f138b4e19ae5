/**
 * Splits a byte stream into lines without holding more than one line (capped) in memory.
 * A line longer than `maxLineLength` is cut and marked, so a runaway line cannot bloat memory.
 */
export function createLineSplitter(onLine: (line: string) => void, maxLineLength = 64 * 1024) {
  let partial = "";
  let overflowed = false;
  const decoder = new TextDecoder("utf-8");

  function feed(text: string): void {
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl === -1) break;
      const piece = text.slice(start, nl);
      emit(overflowed ? partial : partial + piece);
      partial = "";
      overflowed = false;
      start = nl + 1;
    }
    if (start < text.length && !overflowed) {
      partial += text.slice(start);
      if (partial.length > maxLineLength) {
        partial = partial.slice(0, maxLineLength) + " …[line cut]";
        overflowed = true;
      }
    }
  }

  function emit(line: string): void {
    const clean = line.endsWith("\r") ? line.slice(0, -1) : line;
    onLine(clean.length > maxLineLength && !overflowed ? clean.slice(0, maxLineLength) + " …[line cut]" : clean);
  }

  return {
    push(chunk: Buffer): void {
      feed(decoder.decode(chunk, { stream: true }));
    },
    end(): void {
      feed(decoder.decode());
      if (partial.length > 0) emit(partial);
      partial = "";
    },
  };
}
