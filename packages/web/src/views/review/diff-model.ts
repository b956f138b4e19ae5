import type { DiffFile, DiffHunk, DiffLine, TaskDiff } from "@flotilla/client";

/**
 * The diff review's pure half: the rows the unified and side-by-side views draw from a task's
 * parsed diff, and where a comment on a line is anchored. No DOM, no React: unit-tested in node.
 */

export type Side = "old" | "new";

/** The line a comment is about: `new` = a line of the new file (added or context), `old` = a removed line. */
export interface LineAnchor {
  path: string;
  side: Side;
  line: number;
}

/** One cell of a line: what it is, its text, its number on its own side, and where a comment on it goes. */
export interface LineCell {
  kind: DiffLine["kind"];
  text: string;
  /** The number shown in the gutter (old number on the left / for removed lines, new otherwise). */
  number?: number;
  anchor?: LineAnchor;
}

export type UnifiedRow =
  | { type: "hunk"; header: string }
  | { type: "line"; kind: DiffLine["kind"]; text: string; oldLine?: number; newLine?: number; anchor?: LineAnchor };

export type SplitRow = { type: "hunk"; header: string } | { type: "pair"; left?: LineCell; right?: LineCell };

/**
 * Where a comment on this line goes. Added and context lines are lines of the new file; a removed
 * line is a line of the old file. A line without the number it needs gets no anchor.
 */
export function anchorOf(path: string, line: DiffLine): LineAnchor | undefined {
  if (line.kind === "del") return line.oldLine !== undefined ? { path, side: "old", line: line.oldLine } : undefined;
  return line.newLine !== undefined ? { path, side: "new", line: line.newLine } : undefined;
}

/** A stable string for an anchor (map keys, DOM data attributes). */
export function anchorKey(a: LineAnchor): string {
  return `${a.side}:${a.line}:${a.path}`;
}

export function sameAnchor(a: LineAnchor, b: LineAnchor): boolean {
  return a.path === b.path && a.side === b.side && a.line === b.line;
}

/** `path:line` (old side: `path:line (removed)`), as a person reads it. */
export function formatAnchor(a: LineAnchor): string {
  return a.side === "old" ? `${a.path}:${a.line} (removed line)` : `${a.path}:${a.line}`;
}

/** The unified view of one file: a header row per hunk, then its lines in order. */
export function unifiedRows(file: DiffFile): UnifiedRow[] {
  const rows: UnifiedRow[] = [];
  for (const hunk of file.hunks) {
    rows.push({ type: "hunk", header: hunk.header });
    for (const line of hunk.lines) {
      const anchor = anchorOf(file.path, line);
      rows.push({
        type: "line",
        kind: line.kind,
        text: line.text,
        ...(line.oldLine !== undefined ? { oldLine: line.oldLine } : {}),
        ...(line.newLine !== undefined ? { newLine: line.newLine } : {}),
        ...(anchor ? { anchor } : {}),
      });
    }
  }
  return rows;
}

/**
 * The side-by-side view of one file. Context lines fill both sides; a run of removed lines and the
 * run of added lines right after it are paired row by row (the longer run's rest has an empty
 * cell across), so a changed line sits next to what replaced it.
 */
export function splitRows(file: DiffFile): SplitRow[] {
  const rows: SplitRow[] = [];
  for (const hunk of file.hunks) {
    rows.push({ type: "hunk", header: hunk.header });
    rows.push(...splitHunk(file.path, hunk));
  }
  return rows;
}

function splitHunk(path: string, hunk: DiffHunk): SplitRow[] {
  const rows: SplitRow[] = [];
  let dels: DiffLine[] = [];
  let adds: DiffLine[] = [];
  const flush = () => {
    const n = Math.max(dels.length, adds.length);
    for (let i = 0; i < n; i++) {
      const d = dels[i];
      const a = adds[i];
      rows.push({
        type: "pair",
        ...(d ? { left: cell(path, d, "old") } : {}),
        ...(a ? { right: cell(path, a, "new") } : {}),
      });
    }
    dels = [];
    adds = [];
  };
  for (const line of hunk.lines) {
    if (line.kind === "context") {
      flush();
      rows.push({ type: "pair", left: cell(path, line, "old"), right: cell(path, line, "new") });
    } else if (line.kind === "del") {
      // A removed line after added ones starts a new change block.
      if (adds.length > 0) flush();
      dels.push(line);
    } else {
      adds.push(line);
    }
  }
  flush();
  return rows;
}

function cell(path: string, line: DiffLine, column: Side): LineCell {
  const number = column === "old" ? line.oldLine : line.newLine;
  const anchor = anchorOf(path, line);
  return {
    kind: line.kind,
    text: line.text,
    ...(number !== undefined ? { number } : {}),
    ...(anchor ? { anchor } : {}),
  };
}

/** Every anchor a comment can be put on in this diff (to tell drafts that no longer fit it). */
export function anchorsOf(diff: TaskDiff): Set<string> {
  const keys = new Set<string>();
  for (const file of diff.files) {
    for (const hunk of file.hunks) {
      for (const line of hunk.lines) {
        const a = anchorOf(file.path, line);
        if (a) keys.add(anchorKey(a));
      }
    }
  }
  return keys;
}

/** The text of the line an anchor points at, when the diff shows it. */
export function lineTextAt(diff: TaskDiff, a: LineAnchor): string | undefined {
  const file = diff.files.find((f) => f.path === a.path);
  if (!file) return undefined;
  for (const hunk of file.hunks) {
    for (const line of hunk.lines) {
      const b = anchorOf(file.path, line);
      if (b && sameAnchor(a, b)) return line.text;
    }
  }
  return undefined;
}

/** `+12 −3`. */
export function formatCounts(file: Pick<DiffFile, "additions" | "deletions">): string {
  return `+${file.additions} −${file.deletions}`;
}

export function totals(diff: TaskDiff): { files: number; additions: number; deletions: number } {
  let additions = 0;
  let deletions = 0;
  for (const f of diff.files) {
    additions += f.additions;
    deletions += f.deletions;
  }
  return { files: diff.files.length, additions, deletions };
}

/** `a.ts → b.ts` for a rename, the path otherwise. */
export function fileLabel(file: Pick<DiffFile, "path" | "oldPath" | "status">): string {
  return file.status === "renamed" && file.oldPath !== undefined ? `${file.oldPath} → ${file.path}` : file.path;
}

/** The first 7 characters of a commit hash. */
export function shortHash(hash: string): string {
  return hash.slice(0, 7);
}
