import { readFileSync } from "node:fs";

/**
 * Codex's `apply_patch` freeform grammar:
 * `*** Begin Patch` / `*** Add File: path` + `+line`… / `*** Update File: path` `@@` `-old` `+new` / `*** End Patch`.
 */

function lines(text: string): string[] {
  const out = text.split("\n");
  if (out.length > 1 && out[out.length - 1] === "") out.pop();
  return out;
}

/** A patch that creates `path` with `content` (apply_patch always ends the file with a newline). */
export function addFilePatch(path: string, content: string): string {
  const body = content === "" ? ["+"] : lines(content).map((l) => `+${l}`);
  return ["*** Begin Patch", `*** Add File: ${path}`, ...body, "*** End Patch", ""].join("\n");
}

/**
 * A patch that replaces the first `find` in `path` by `replace`. apply_patch works on whole lines,
 * so when the file can be read (at `absolute`), the lines around the match are rewritten; otherwise
 * `find` and `replace` are taken as whole lines.
 */
export function updateFilePatch(path: string, absolute: string, find: string, replace: string): string {
  let oldBlock = find;
  let newBlock = replace;
  const current = readText(absolute);
  const at = current?.indexOf(find) ?? -1;
  if (current !== undefined && at >= 0) {
    const start = current.lastIndexOf("\n", at - 1) + 1;
    const nl = current.indexOf("\n", at + find.length);
    const end = nl < 0 ? current.length : nl;
    oldBlock = current.slice(start, end);
    newBlock = oldBlock.replace(find, () => replace);
  }
  const minus = lines(oldBlock).map((l) => `-${l}`);
  const plus = newBlock === "" ? [] : lines(newBlock).map((l) => `+${l}`);
  return ["*** Begin Patch", `*** Update File: ${path}`, "@@", ...minus, ...plus, "*** End Patch", ""].join("\n");
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Single-quotes a word for a POSIX shell. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
