import { unquotePath } from "./quoted-paths.js";

/**
 * A unified diff as `git diff` writes it (with the `a/` and `b/` prefixes), parsed into files,
 * hunks and lines with their line numbers in the old and the new file. Pure: text in, data out.
 * The shapes match the client's TaskDiff schema (wire-steering.ts).
 */

export interface DiffLine {
  kind: "context" | "add" | "del";
  text: string;
  /** The line's number in the old file (context and del). */
  oldLine?: number;
  /** The line's number in the new file (context and add). */
  newLine?: number;
}

export interface DiffHunk {
  header: string;
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: DiffLine[];
}

export interface DiffFile {
  path: string;
  /** The path before a rename. */
  oldPath?: string;
  status: "added" | "modified" | "deleted" | "renamed";
  binary: boolean;
  additions: number;
  deletions: number;
  hunks: DiffHunk[];
}

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/** Parses a whole patch. Text it does not understand between files is skipped, never thrown on. */
export function parseDiff(patch: string): DiffFile[] {
  const lines = patch.split("\n");
  if (lines.at(-1) === "") lines.pop();
  const files: DiffFile[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? "";
    if (!line.startsWith("diff --git ")) {
      i++;
      continue;
    }
    const parsed = parseFile(lines, i);
    files.push(parsed.file);
    i = parsed.next;
  }
  return files;
}

interface FileHeader {
  oldPath?: string;
  newPath?: string;
  added: boolean;
  deleted: boolean;
  renamed: boolean;
  binary: boolean;
}

function parseFile(lines: readonly string[], start: number): { file: DiffFile; next: number } {
  const fromGitLine = gitLinePaths((lines[start] ?? "").slice("diff --git ".length));
  const h: FileHeader = { added: false, deleted: false, renamed: false, binary: false };
  let i = start + 1;
  // The extended header lines, up to the first hunk or the next file.
  for (; i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.startsWith("diff --git ") || line.startsWith("@@ ")) break;
    if (line.startsWith("new file mode ")) h.added = true;
    else if (line.startsWith("deleted file mode ")) h.deleted = true;
    else if (line.startsWith("rename from ")) {
      h.renamed = true;
      h.oldPath = unquotePath(line.slice("rename from ".length));
    } else if (line.startsWith("rename to ")) {
      h.renamed = true;
      h.newPath = unquotePath(line.slice("rename to ".length));
    } else if (line.startsWith("copy from ")) h.oldPath = unquotePath(line.slice("copy from ".length));
    else if (line.startsWith("copy to ")) {
      h.added = true;
      h.newPath = unquotePath(line.slice("copy to ".length));
    } else if (line.startsWith("--- ")) {
      const p = sidePath(line.slice(4), "a/");
      if (p !== undefined) h.oldPath ??= p;
    } else if (line.startsWith("+++ ")) {
      const p = sidePath(line.slice(4), "b/");
      if (p !== undefined) h.newPath ??= p;
    } else if (line.startsWith("Binary files ") || line === "GIT binary patch") {
      h.binary = true;
      const names = binaryLinePaths(line);
      if (names) {
        if (names.old !== undefined) h.oldPath ??= names.old;
        if (names.new !== undefined) h.newPath ??= names.new;
      }
    }
  }
  const hunks: DiffHunk[] = [];
  let additions = 0;
  let deletions = 0;
  while (i < lines.length && (lines[i] ?? "").startsWith("@@ ")) {
    const parsed = parseHunk(lines, i);
    if (!parsed) {
      i++;
      continue;
    }
    hunks.push(parsed.hunk);
    for (const l of parsed.hunk.lines) {
      if (l.kind === "add") additions++;
      else if (l.kind === "del") deletions++;
    }
    i = parsed.next;
    // "\ No newline at end of file" after a hunk's last line, and anything else before the next hunk or file.
    while (i < lines.length && !(lines[i] ?? "").startsWith("@@ ") && !(lines[i] ?? "").startsWith("diff --git ")) i++;
  }
  const oldPath = h.oldPath ?? fromGitLine?.old;
  const newPath = h.newPath ?? fromGitLine?.new;
  const status: DiffFile["status"] = h.added ? "added" : h.deleted ? "deleted" : h.renamed ? "renamed" : "modified";
  const path = (status === "deleted" ? (oldPath ?? newPath) : (newPath ?? oldPath)) ?? "";
  const file: DiffFile = {
    path,
    ...(status === "renamed" && oldPath !== undefined && oldPath !== path ? { oldPath } : {}),
    status,
    binary: h.binary,
    additions,
    deletions,
    hunks,
  };
  return { file, next: i };
}

/** One hunk from its `@@` line: as many lines as its header counts, so a `--- x` line inside is content. */
function parseHunk(lines: readonly string[], start: number): { hunk: DiffHunk; next: number } | undefined {
  const header = lines[start] ?? "";
  const m = HUNK_HEADER.exec(header);
  if (!m) return undefined;
  const oldStart = Number(m[1]);
  const oldLines = m[2] !== undefined ? Number(m[2]) : 1;
  const newStart = Number(m[3]);
  const newLines = m[4] !== undefined ? Number(m[4]) : 1;
  const out: DiffLine[] = [];
  let oldLeft = oldLines;
  let newLeft = newLines;
  let oldNo = oldStart;
  let newNo = newStart;
  let i = start + 1;
  while (i < lines.length && (oldLeft > 0 || newLeft > 0)) {
    const line = lines[i] ?? "";
    const mark = line[0];
    if (mark === "\\") {
      i++; // "\ No newline at end of file": about the line before; not a line of either file
      continue;
    }
    if (mark === "+" && newLeft > 0) {
      out.push({ kind: "add", text: line.slice(1), newLine: newNo++ });
      newLeft--;
    } else if (mark === "-" && oldLeft > 0) {
      out.push({ kind: "del", text: line.slice(1), oldLine: oldNo++ });
      oldLeft--;
    } else if ((mark === " " || line === "") && oldLeft > 0 && newLeft > 0) {
      // An empty line is a context line whose leading space was stripped (by an editor or a mail).
      out.push({ kind: "context", text: line.slice(1), oldLine: oldNo++, newLine: newNo++ });
      oldLeft--;
      newLeft--;
    } else break; // a cut patch, or a header that miscounts: stop at what does not fit
    i++;
  }
  return { hunk: { header, oldStart, oldLines, newStart, newLines, lines: out }, next: i };
}

/** A path from a `---` / `+++` line: undefined for /dev/null; the prefix and a trailing tab removed. */
function sidePath(raw: string, prefix: string): string | undefined {
  // git ends the name with a tab when it holds a space (as GNU diff does).
  const text = raw.endsWith("\t") ? raw.slice(0, -1) : raw;
  if (text === "/dev/null") return undefined;
  return stripPrefix(unquotePath(text), prefix);
}

function stripPrefix(path: string, prefix: string): string {
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** The two paths of `diff --git a/x b/y`: quoted ones, or unquoted ones that are the same (no rename). */
function gitLinePaths(rest: string): { old: string; new: string } | undefined {
  const tokens = quotedTokens(rest);
  if (tokens) return { old: stripPrefix(tokens[0], "a/"), new: stripPrefix(tokens[1], "b/") };
  // Unquoted: "a/<p> b/<p>". With spaces in the path, only the equal split is certain.
  const len = rest.length;
  if ((len - 5) % 2 === 0 && len >= 7) {
    const half = (len - 5) / 2;
    const a = rest.slice(0, 2 + half);
    const b = rest.slice(2 + half + 1);
    if (a.startsWith("a/") && b.startsWith("b/") && a.slice(2) === b.slice(2) && rest[2 + half] === " ") {
      return { old: a.slice(2), new: b.slice(2) };
    }
  }
  const at = rest.indexOf(" b/");
  if (rest.startsWith("a/") && at > 0) return { old: rest.slice(2, at), new: rest.slice(at + 3) };
  return undefined;
}

/** `"a/x" "b/y"`, `"a/x" b/y` or `a/x "b/y"` split into two unquoted tokens; undefined when neither is quoted. */
function quotedTokens(rest: string): [string, string] | undefined {
  if (!rest.includes('"')) return undefined;
  const tokens: string[] = [];
  let i = 0;
  while (i < rest.length && tokens.length < 2) {
    if (rest[i] === " ") {
      i++;
      continue;
    }
    if (rest[i] === '"') {
      let j = i + 1;
      while (j < rest.length && rest[j] !== '"') j += rest[j] === "\\" ? 2 : 1;
      tokens.push(unquotePath(rest.slice(i, j + 1)));
      i = j + 1;
    } else {
      // An unquoted token: the first one ends at " b/" or a quote; the second runs to the end.
      const end = tokens.length === 0 ? rest.indexOf(' "', i) : rest.length;
      const stop = end === -1 ? rest.length : end;
      tokens.push(rest.slice(i, stop));
      i = stop;
    }
  }
  return tokens.length === 2 ? [tokens[0] ?? "", tokens[1] ?? ""] : undefined;
}

/** The paths of `Binary files a/x and b/y differ` (either may be /dev/null). */
function binaryLinePaths(line: string): { old?: string; new?: string } | undefined {
  const m = /^Binary files (.+) and (.+) differ$/.exec(line);
  if (!m) return undefined;
  const side = (raw: string, prefix: string) =>
    raw === "/dev/null" ? undefined : stripPrefix(unquotePath(raw), prefix);
  const oldPath = side(m[1] ?? "", "a/");
  const newPath = side(m[2] ?? "", "b/");
  return { ...(oldPath !== undefined ? { old: oldPath } : {}), ...(newPath !== undefined ? { new: newPath } : {}) };
}
