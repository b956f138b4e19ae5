import { readFileSync } from "node:fs";
import { extname } from "node:path";
import { FlotillaError } from "@flotilla/protocol";
import { LineCounter, parseDocument, type Document } from "yaml";
import type { ZodType } from "zod";
import { locatePath } from "./yaml-locate.js";
import { flattenZodIssues, formatKeyPath, type PathIssue } from "./zod-issues.js";

/** The error codes a structured file's problems are reported under; the caller chooses. */
export type StructuredErrorCode = "invalid_input" | "config_invalid";

/** One located problem in a file (or another named source, such as an environment variable). */
export interface StructuredIssue {
  file: string;
  line?: number;
  column?: number;
  /** The key path (`defaults.concurrency`), or undefined for a syntax error. */
  path?: string;
  message: string;
}

export interface StructuredOptions {
  /** The FlotillaError code for problems; `invalid_input` unless told. */
  code?: StructuredErrorCode;
  /** The value an empty (whitespace- or comment-only) file stands for; undefined unless told. */
  empty?: unknown;
}

/** A parsed document that has not been validated yet: its plain value, and where its keys are. */
export interface ParsedStructured {
  file: string;
  value: unknown;
  /** Locates zod issues (or any key paths) in this document. */
  locate(issues: readonly PathIssue[]): StructuredIssue[];
}

/** `<file>:<line>:<col>: <key.path>: <problem>`, one line per problem. */
export function formatIssues(issues: readonly StructuredIssue[]): string {
  return issues
    .map((i) => {
      const where = i.line !== undefined ? `${i.file}:${i.line}:${i.column ?? 1}` : i.file;
      return i.path !== undefined ? `${where}: ${i.path}: ${i.message}` : `${where}: ${i.message}`;
    })
    .join("\n");
}

/** The error for a list of problems: its message lists every one of them. */
export function structuredError(
  code: StructuredErrorCode,
  file: string,
  issues: readonly StructuredIssue[],
): FlotillaError {
  return new FlotillaError(code, formatIssues(issues), { file, issues });
}

/** Parses JSON (by a `.json` name) or YAML text, reporting syntax errors with line and column. */
export function parseStructuredDocument(text: string, file: string, options: StructuredOptions = {}): ParsedStructured {
  const code = options.code ?? "invalid_input";
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const located = (issues: readonly PathIssue[]) => locateIssues(file, doc, lines, issues);
  const parsed = (value: unknown): ParsedStructured => ({ file, value, locate: located });
  if (text.trim() === "") return parsed(options.empty);

  const syntax: StructuredIssue[] = doc.errors.map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, message: e.message };
  });
  if (extname(file).toLowerCase() === ".json") {
    try {
      return parsed(JSON.parse(text));
    } catch (e) {
      if (syntax.length === 0) syntax.push(jsonSyntaxIssue(file, text, lines, e));
    }
  }
  if (syntax.length > 0) throw structuredError(code, file, syntax);
  if (doc.contents === null) return parsed(options.empty); // only comments
  try {
    return parsed(doc.toJS({ maxAliasCount: 1000 }));
  } catch (e) {
    throw structuredError(code, file, [{ file, line: 1, column: 1, message: errorMessage(e) }]);
  }
}

/** Validates a parsed document against a schema; every problem is reported with its position. */
export function validateStructured<T>(
  parsed: ParsedStructured,
  schema: ZodType<T>,
  options: StructuredOptions = {},
): T {
  const result = schema.safeParse(parsed.value);
  if (result.success) return result.data;
  const issues = parsed.locate(flattenZodIssues(result.error.issues));
  throw structuredError(options.code ?? "invalid_input", parsed.file, issues);
}

/** Parses and validates JSON or YAML text; `file` names it in messages and picks the format. */
export function parseStructuredText<T>(
  text: string,
  file: string,
  schema: ZodType<T>,
  options: StructuredOptions = {},
): T {
  return validateStructured(parseStructuredDocument(text, file, options), schema, options);
}

/** Reads, parses and validates a JSON or YAML file. A missing file is "no such file: <file>". */
export function readStructuredFile<T>(file: string, schema: ZodType<T>, options: StructuredOptions = {}): T {
  return parseStructuredText(readStructuredText(file, options), file, schema, options);
}

/** A file's text, with a plain message when it cannot be read. */
export function readStructuredText(file: string, options: StructuredOptions = {}): string {
  const code = options.code ?? "invalid_input";
  try {
    return readFileSync(file, "utf8");
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code;
    if (errno === "ENOENT") throw new FlotillaError(code, `no such file: ${file}`, { file });
    if (errno === "EISDIR") throw new FlotillaError(code, `${file} is a directory, not a file`, { file });
    throw new FlotillaError(code, `cannot read ${file}: ${errorMessage(e)}`, { file });
  }
}

function locateIssues(
  file: string,
  doc: Document,
  lines: LineCounter,
  issues: readonly PathIssue[],
): StructuredIssue[] {
  return issues
    .map((issue, order) => {
      const pos = locatePath(doc, lines, issue.path, issue.atKey);
      return {
        order,
        issue: { file, line: pos.line, column: pos.column, path: formatKeyPath(issue.path), message: issue.message },
      };
    })
    .sort((a, b) => a.issue.line - b.issue.line || a.issue.column - b.issue.column || a.order - b.order)
    .map((x) => x.issue);
}

/** V8's JSON errors give a position, or only a snippet: `..."<10 chars before>X<after>"`. */
function jsonSyntaxIssue(file: string, text: string, lines: LineCounter, e: unknown): StructuredIssue {
  const raw = errorMessage(e);
  const snippet = /^(.*?), (\.\.\.)?"(.*?)"(\.\.\.)? is not valid JSON$/s.exec(raw);
  const message = snippet ? `${snippet[1]} (not valid JSON)` : raw;
  let offset = 0;
  const at = /position (\d+)/.exec(raw);
  if (at) offset = Number(at[1]);
  else if (snippet?.[2] !== undefined && snippet[3] !== undefined) {
    const found = text.indexOf(snippet[3]);
    if (found >= 0) offset = found + 10;
  }
  const pos = lines.linePos(offset);
  return { file, line: pos.line, column: pos.col, message };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
