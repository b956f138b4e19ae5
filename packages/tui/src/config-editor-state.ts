import type { ConfigFile, ConfigIssue, ConfigScope } from "@flotilla/client";
import { bufferOf, textOf, type TextBuffer } from "./text-edit.js";

/** Where the config text stands: being checked, valid, or its problems (or the check failed). */
export type ConfigCheck =
  | { state: "checking" }
  | { state: "valid" }
  | { state: "invalid"; errors: readonly ConfigIssue[] }
  | { state: "failed"; message: string };

/** The settings panel's editor: one config file's text, being edited. */
export interface ConfigEditorState {
  scope: ConfigScope;
  /** "global", or the project's name. */
  label: string;
  path: string;
  exists: boolean;
  buffer: TextBuffer;
  /** The text as it is on disk (unsaved changes: the buffer differs). */
  saved: string;
  check: ConfigCheck;
  saving: boolean;
}

export function openEditor(scope: ConfigScope, label: string, file: ConfigFile): ConfigEditorState {
  return {
    scope,
    label,
    path: file.path,
    exists: file.exists,
    buffer: bufferOf(file.text),
    saved: file.text,
    check: { state: "checking" },
    saving: false,
  };
}

export function isDirty(e: ConfigEditorState): boolean {
  return textOf(e.buffer) !== e.saved;
}

/** One row the editor draws: a line of the text, or a problem shown under the line it is on. */
export type EditorRow = { kind: "line"; line: number } | { kind: "issue"; issue: ConfigIssue };

/**
 * The rows of the editor: every line of the text, each followed by the problems located on it
 * (so each error shows at its field); problems without a line come first.
 */
export function editorRows(lineCount: number, check: ConfigCheck): EditorRow[] {
  const errors = check.state === "invalid" ? check.errors : [];
  const byLine = new Map<number, ConfigIssue[]>();
  const unplaced: ConfigIssue[] = [];
  for (const issue of errors) {
    if (issue.line === undefined || issue.line < 1 || issue.line > lineCount) unplaced.push(issue);
    else byLine.set(issue.line, [...(byLine.get(issue.line) ?? []), issue]);
  }
  const rows: EditorRow[] = unplaced.map((issue) => ({ kind: "issue", issue }));
  for (let i = 0; i < lineCount; i++) {
    rows.push({ kind: "line", line: i });
    for (const issue of byLine.get(i + 1) ?? []) rows.push({ kind: "issue", issue });
  }
  return rows;
}

/** `line 2:16 defaults.concurrency: expected number, received string`. */
export function describeIssue(issue: ConfigIssue): string {
  const where =
    issue.line !== undefined ? `line ${issue.line}${issue.column !== undefined ? `:${issue.column}` : ""} ` : "";
  return `${where}${issue.path}: ${issue.message}`;
}
