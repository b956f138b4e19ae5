/**
 * Reading paths from git's line-based output. Commands run with `core.quotePath=true`, so git
 * writes any path holding a double quote, backslash, control character or non-ASCII byte (and,
 * in `status --porcelain`, a space) as a C string literal with octal escapes. Every path then
 * fits on one ASCII line, which survives the line-by-line capture of runCommand exactly, where a
 * NUL-separated (-z) listing of thousands of files would be one over-long "line".
 */

/** Options that make git quote unusual paths (put before the subcommand). */
export const QUOTE_PATHS_CONFIG: readonly string[] = ["-c", "core.quotePath=true"];

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 0x07,
  b: 0x08,
  t: 0x09,
  n: 0x0a,
  v: 0x0b,
  f: 0x0c,
  r: 0x0d,
  '"': 0x22,
  "\\": 0x5c,
};

/** A path as git printed it: C-quoted (`"a\tb"`) or verbatim. */
export function unquotePath(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"') || text.length < 2) return text;
  const body = text.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const ch = body.charCodeAt(i);
    if (ch !== 0x5c) {
      pushUtf8(bytes, body.codePointAt(i) ?? ch);
      if (ch >= 0xd800 && ch <= 0xdbff) i++;
      continue;
    }
    const next = body[i + 1] ?? "";
    const octal = /^[0-3][0-7]{2}/.exec(body.slice(i + 1, i + 4));
    if (octal) {
      bytes.push(parseInt(octal[0], 8));
      i += 3;
    } else {
      bytes.push(SIMPLE_ESCAPES[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

function pushUtf8(bytes: number[], codePoint: number): void {
  for (const b of Buffer.from(String.fromCodePoint(codePoint), "utf8")) bytes.push(b);
}

/** One path per line (as `diff --name-only` prints them), unquoted. */
export function parsePathLines(stdout: string): string[] {
  return stdout
    .split("\n")
    .filter((line) => line.length > 0)
    .map(unquotePath);
}
