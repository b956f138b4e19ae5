import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { GitRunner } from "./git-runner.js";
import { parsePathLines, QUOTE_PATHS_CONFIG } from "./quoted-paths.js";
import { assertAbsoluteDir, assertSafeRef } from "./validate.js";

const DEFAULT_MAX_DIFF_BYTES = 5 * 1024 * 1024;
// Options that keep a user's diff config (external drivers, textconv, colour, relative paths) out.
const PLAIN_DIFF_OPTIONS = ["--no-ext-diff", "--no-textconv", "--no-color", "--no-relative"];

/**
 * Paths that differ between `from` and `to`, relative to the top of the work tree. Renames are
 * not paired up: both the old and the new path are listed.
 */
export async function changedFiles(git: GitRunner, dir: string, from: string, to: string): Promise<string[]> {
  assertAbsoluteDir("directory", dir);
  assertSafeRef("from", from);
  assertSafeRef("to", to);
  const result = await git.run(dir, [
    ...QUOTE_PATHS_CONFIG,
    "diff",
    "--name-only",
    "--no-renames",
    ...PLAIN_DIFF_OPTIONS,
    "--end-of-options",
    from,
    to,
    "--",
  ]);
  return parsePathLines(result.stdout);
}

/** Paths that `to` adds relative to `from` (they did not exist in `from`). */
export async function addedFiles(git: GitRunner, dir: string, from: string, to: string): Promise<string[]> {
  const result = await git.run(dir, [
    ...QUOTE_PATHS_CONFIG,
    "diff",
    "--name-only",
    "--no-renames",
    "--diff-filter=A",
    ...PLAIN_DIFF_OPTIONS,
    "--end-of-options",
    from,
    to,
    "--",
  ]);
  return parsePathLines(result.stdout);
}

/**
 * The patch from `from` to `to`, at most `maxBytes` (default 5 MiB) of it with a note when cut.
 * Git writes it to a temporary file, so long lines and large diffs are read exactly.
 */
export async function diff(
  git: GitRunner,
  dir: string,
  from: string,
  to: string,
  maxBytes = DEFAULT_MAX_DIFF_BYTES,
): Promise<string> {
  const { text, truncated, size } = await patch(git, dir, from, to, maxBytes);
  return truncated ? `${text}\n…[diff cut: ${maxBytes} of ${size} bytes shown]\n` : text;
}

/**
 * The patch from `from` to `to` for parsing (git/parse-diff.ts): renames detected, the `a/` and
 * `b/` prefixes whatever the user's config says, at most `maxBytes` of it (`truncated` then).
 */
export async function patch(
  git: GitRunner,
  dir: string,
  from: string,
  to: string,
  maxBytes = DEFAULT_MAX_DIFF_BYTES,
): Promise<{ text: string; truncated: boolean; size: number }> {
  assertAbsoluteDir("directory", dir);
  assertSafeRef("from", from);
  assertSafeRef("to", to);
  const scratch = await mkdtemp(join(tmpdir(), "flotilla-diff-"));
  try {
    const file = join(scratch, "patch");
    await git.run(dir, [
      "diff",
      ...PLAIN_DIFF_OPTIONS,
      "-M",
      "--src-prefix=a/",
      "--dst-prefix=b/",
      `--output=${file}`,
      "--end-of-options",
      from,
      to,
      "--",
    ]);
    return await readHead(file, Math.max(0, Math.floor(maxBytes)));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function readHead(file: string, maxBytes: number): Promise<{ text: string; truncated: boolean; size: number }> {
  const handle = await open(file, "r");
  try {
    const size = (await handle.stat()).size;
    const buffer = Buffer.alloc(Math.min(size, maxBytes));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return { text: buffer.subarray(0, bytesRead).toString("utf8"), truncated: size > maxBytes, size };
  } finally {
    await handle.close();
  }
}
