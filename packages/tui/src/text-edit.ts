/**
 * A small text buffer for the TUI's editors (the config file, an answer): lines and a cursor,
 * changed by pure functions, so the editing is tested without a terminal.
 */

export interface TextBuffer {
  readonly lines: readonly string[];
  readonly row: number;
  readonly col: number;
}

/** The parts of Ink's `Key` an editor reads. */
export interface EditKey {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

/** What a key did: changed the text, only moved the cursor, or asked to save / cancel / submit. */
export type EditOutcome = "changed" | "moved" | "save" | "cancel" | "submit" | "ignored";

export function bufferOf(text: string): TextBuffer {
  return { lines: text.split(/\r?\n/), row: 0, col: 0 };
}

export function textOf(buffer: TextBuffer): string {
  return buffer.lines.join("\n");
}

/** Inserts text at the cursor (a paste may hold newlines); the cursor ends after it. */
export function insertText(b: TextBuffer, text: string): TextBuffer {
  const lines = [...b.lines];
  const line = lines[b.row] ?? "";
  const before = line.slice(0, b.col);
  const after = line.slice(b.col);
  const parts = text.replace(/\r\n?/g, "\n").split("\n");
  const last = parts.length - 1;
  const inserted = parts.map((p, i) => (i === 0 ? before + p : p));
  inserted[last] = (inserted[last] ?? "") + after;
  lines.splice(b.row, 1, ...inserted);
  const row = b.row + last;
  const col = (last === 0 ? before.length : 0) + (parts[last] ?? "").length;
  return { lines, row, col };
}

/** Deletes the character before the cursor (joining with the line above at its start). */
export function deleteBack(b: TextBuffer): TextBuffer {
  if (b.col > 0) {
    const lines = [...b.lines];
    const line = lines[b.row] ?? "";
    lines[b.row] = line.slice(0, b.col - 1) + line.slice(b.col);
    return { lines, row: b.row, col: b.col - 1 };
  }
  if (b.row === 0) return b;
  const lines = [...b.lines];
  const above = lines[b.row - 1] ?? "";
  lines.splice(b.row - 1, 2, above + (lines[b.row] ?? ""));
  return { lines, row: b.row - 1, col: above.length };
}

/** Moves the cursor, keeping it inside the text. */
export function moveCursor(b: TextBuffer, dRow: number, dCol: number): TextBuffer {
  if (dCol !== 0 && dRow === 0) {
    const len = (b.lines[b.row] ?? "").length;
    if (dCol < 0 && b.col === 0 && b.row > 0) return { ...b, row: b.row - 1, col: (b.lines[b.row - 1] ?? "").length };
    if (dCol > 0 && b.col >= len && b.row < b.lines.length - 1) return { ...b, row: b.row + 1, col: 0 };
    return { ...b, col: Math.max(0, Math.min(len, b.col + dCol)) };
  }
  const row = Math.max(0, Math.min(b.lines.length - 1, b.row + dRow));
  return { ...b, row, col: Math.min(b.col, (b.lines[row] ?? "").length) };
}

/**
 * One key press in a multi-line editor: printable input is inserted, enter breaks the line,
 * backspace (and the key terminals send as delete) deletes back, arrows / home / end / page
 * move, tab inserts two spaces; ctrl-s asks to save, esc to cancel.
 */
export function editKey(b: TextBuffer, input: string, key: EditKey, page = 10): [TextBuffer, EditOutcome] {
  if (key.ctrl && input === "s") return [b, "save"];
  if (key.escape) return [b, "cancel"];
  if (key.return) return [insertText(b, "\n"), "changed"];
  if (key.backspace || key.delete) {
    const next = deleteBack(b);
    return [next, next === b ? "ignored" : "changed"];
  }
  if (key.upArrow) return [moveCursor(b, -1, 0), "moved"];
  if (key.downArrow) return [moveCursor(b, 1, 0), "moved"];
  if (key.leftArrow) return [moveCursor(b, 0, -1), "moved"];
  if (key.rightArrow) return [moveCursor(b, 0, 1), "moved"];
  if (key.pageUp) return [moveCursor(b, -page, 0), "moved"];
  if (key.pageDown) return [moveCursor(b, page, 0), "moved"];
  if (key.home) return [{ ...b, col: 0 }, "moved"];
  if (key.end) return [{ ...b, col: (b.lines[b.row] ?? "").length }, "moved"];
  if (key.tab) return [insertText(b, "  "), "changed"];
  // Several backspaces in one read (a fast typist, a script) arrive as one input.
  if (/^[\x7f\b]+$/.test(input)) {
    let next = b;
    for (let i = 0; i < input.length; i++) next = deleteBack(next);
    return [next, next === b ? "ignored" : "changed"];
  }
  // Other control characters are never inserted (newlines and tabs in a paste are).
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const text = input.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, "");
  if (key.ctrl || key.meta || text === "") return [b, "ignored"];
  return [insertText(b, text.replace(/\t/g, "  ")), "changed"];
}

/** One key press in a one-line input: like `editKey`, but enter submits and newlines become spaces. */
export function lineKey(b: TextBuffer, input: string, key: EditKey): [TextBuffer, EditOutcome] {
  if (key.return) return [b, "submit"];
  if (key.escape) return [b, "cancel"];
  if (key.upArrow || key.downArrow || key.tab || (key.ctrl && input === "s")) return [b, "ignored"];
  return editKey(b, input.replace(/[\r\n]+/g, " "), key);
}
