import { createHash } from "node:crypto";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { GitRunner } from "./git-runner.js";
import { assertAbsoluteDir, assertSafeRef } from "./validate.js";

/**
 * A fingerprint of what a work tree changes against `base`: committed, staged, unstaged and
 * untracked (not ignored) changes alike. Two calls give the same fingerprint exactly when the
 * work tree's content differs from `base` in the same way — whatever was committed in between.
 *
 * The work tree is staged into a scratch copy of its index (the real index, HEAD and the files
 * are not touched), written as a tree, and the raw `base → tree` diff (paths, modes, blob ids)
 * is hashed. Copying the index keeps its stat cache, so unchanged files are not re-read.
 */
export async function worktreeFingerprint(git: GitRunner, dir: string, base: string): Promise<string> {
  assertAbsoluteDir("directory", dir);
  assertSafeRef("base", base);
  const scratch = await mkdtemp(join(tmpdir(), "flotilla-fingerprint-"));
  try {
    const index = join(scratch, "index");
    const real = resolve(dir, (await git.run(dir, ["rev-parse", "--git-path", "index"])).stdout.trim());
    await copyFile(real, index).catch(() => undefined); // no index yet: staging builds one
    const env = { GIT_INDEX_FILE: index };
    await git.run(dir, ["add", "--all", "--", ":/"], { env });
    const tree = (await git.run(dir, ["write-tree"], { env })).stdout.trim();
    const raw = await git.run(dir, ["diff-tree", "-r", "--no-renames", "--raw", "--end-of-options", base, tree]);
    return createHash("sha256").update(raw.stdout).digest("hex").slice(0, 16);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
