import { isAbsolute } from "node:path";
import { FlotillaError } from "@flotilla/protocol";

/**
 * Input checks that run before any git process is started. Everything that reaches git's argv
 * passes one of these: nothing may start with `-` (git would read it as an option) and nothing
 * may hold control characters (they corrupt output parsing, logs and terminals).
 */

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\x00-\x1f\x7f]/;
// A commit message may span lines and hold tabs, but nothing else below 0x20.
// eslint-disable-next-line no-control-regex
const MESSAGE_CONTROL_CHARACTER = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
const TRAILER_KEY = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

function refuse(kind: string, value: string, why: string): never {
  throw new FlotillaError("invalid_input", `${kind} ${JSON.stringify(value)} ${why}`, { kind, value });
}

function assertArgvSafe(kind: string, value: string): void {
  if (typeof value !== "string" || value.length === 0) refuse(kind, String(value), "must not be empty");
  if (value.startsWith("-")) refuse(kind, value, "must not start with '-'");
  if (CONTROL_CHARACTER.test(value)) refuse(kind, value, "must not contain control characters");
}

/** A revision or ref (`main`, `HEAD~2`, a sha): not empty, no leading `-`, no control characters. */
export function assertSafeRef(kind: string, value: string): void {
  assertArgvSafe(kind, value);
}

/** A file system path: not empty, no leading `-`, no control characters. */
export function assertSafePath(kind: string, value: string): void {
  assertArgvSafe(kind, value);
}

/** A directory git runs in: a safe path that is also absolute. */
export function assertAbsoluteDir(kind: string, value: string): void {
  assertSafePath(kind, value);
  if (!isAbsolute(value)) refuse(kind, value, "must be an absolute path");
}

/**
 * A branch name, checked with the rules of `git check-ref-format --branch` (applied to
 * `refs/heads/<name>`), plus: not `HEAD`, not `@`, no leading `-`.
 */
export function assertBranchName(kind: string, value: string): void {
  assertArgvSafe(kind, value);
  const problem = branchNameProblem(value);
  if (problem !== undefined) refuse(kind, value, `is not a valid branch name: ${problem}`);
}

function branchNameProblem(name: string): string | undefined {
  if (name === "HEAD" || name === "@") return "reserved name";
  if (/[ ~^:?*[\\]/.test(name)) return "must not contain space, '~', '^', ':', '?', '*', '[' or '\\'";
  if (name.includes("..")) return "must not contain '..'";
  if (name.includes("@{")) return "must not contain '@{'";
  if (name.startsWith("/") || name.endsWith("/")) return "must not start or end with '/'";
  if (name.includes("//")) return "must not contain '//'";
  if (name.endsWith(".")) return "must not end with '.'";
  for (const component of name.split("/")) {
    if (component.startsWith(".")) return "no part may start with '.'";
    if (component.endsWith(".lock")) return "no part may end with '.lock'";
  }
  return undefined;
}

/** A prefix of branch names (`flotilla/`): may be empty, otherwise argv safe and free of glob characters. */
export function assertBranchPrefix(kind: string, value: string): void {
  if (value === "") return;
  assertArgvSafe(kind, value);
  if (/[ ~^:?*[\\]/.test(value)) refuse(kind, value, "must not contain space, '~', '^', ':', '?', '*', '[' or '\\'");
}

/** A commit message: not blank, no NUL or other control characters besides tab and newlines. */
export function assertCommitMessage(value: string): void {
  if (typeof value !== "string" || value.trim().length === 0)
    refuse("commit message", String(value), "must not be empty");
  if (MESSAGE_CONTROL_CHARACTER.test(value)) refuse("commit message", value, "must not contain control characters");
}

/** A trailer such as `Flotilla-Task: task_1`: a token key and a one-line value. */
export function assertTrailer(key: string, value: string): void {
  if (!TRAILER_KEY.test(key))
    refuse("trailer key", key, "must hold only letters, digits and '-' (and not start with '-')");
  if (typeof value !== "string" || value.trim().length === 0)
    refuse(`trailer ${key}`, String(value), "must not be empty");
  if (CONTROL_CHARACTER.test(value)) refuse(`trailer ${key}`, value, "must not contain control characters");
}
