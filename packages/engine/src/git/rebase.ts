import { existsSync } from "node:fs";
import { gitFailed, identityConfigArgs, outputTail, UNATTENDED_COMMIT_CONFIG, type GitRunner } from "./git-runner.js";
import { parsePathLines, QUOTE_PATHS_CONFIG } from "./quoted-paths.js";
import { revParse } from "./repo-queries.js";
import type { RebaseResult } from "./types.js";
import { assertAbsoluteDir, assertSafeRef } from "./validate.js";

/**
 * Rebases what is checked out in `worktreeDir` onto `onto`. When git stops (a conflict), the
 * conflicted files are collected, the rebase is aborted, and the worktree is left as before.
 * Other branches are never moved (`--no-update-refs`), nothing is stashed, no hook runs.
 */
export async function rebase(git: GitRunner, worktreeDir: string, onto: string): Promise<RebaseResult> {
  assertAbsoluteDir("worktree", worktreeDir);
  assertSafeRef("onto", onto);
  const ontoCommit = await revParse(git, worktreeDir, onto);
  const identity = await identityConfigArgs(git, worktreeDir);
  const args = [
    ...identity,
    ...UNATTENDED_COMMIT_CONFIG,
    "rebase",
    "--no-autostash",
    "--no-update-refs",
    "--no-rerere-autoupdate",
    "--no-gpg-sign",
    ontoCommit,
  ];
  let result;
  try {
    result = await git.run(worktreeDir, args, { allowAnyExitCode: true });
  } catch (error) {
    // A timeout may leave the rebase half done: undo it before reporting.
    if (await rebaseInProgress(git, worktreeDir)) await git.run(worktreeDir, ["rebase", "--abort"]);
    throw error;
  }
  if (result.exitCode === 0) return { ok: true, head: await revParse(git, worktreeDir, "HEAD") };
  if (!(await rebaseInProgress(git, worktreeDir))) {
    // Git refused to start (e.g. uncommitted changes): nothing to undo, and not a conflict.
    throw gitFailed(args, worktreeDir, result.exitCode, result.stderr, result.stderr.trim() || result.stdout.trim());
  }
  const unmerged = await git.run(worktreeDir, [
    ...QUOTE_PATHS_CONFIG,
    "diff",
    "--name-only",
    "--diff-filter=U",
    "--no-relative",
  ]);
  await git.run(worktreeDir, ["rebase", "--abort"]);
  return {
    ok: false,
    conflicts: [...new Set(parsePathLines(unmerged.stdout))],
    message: `rebase onto ${onto} stopped: ${outputTail(`${result.stdout}\n${result.stderr}`)}`,
  };
}

/** Whether a rebase is stopped half way in the worktree at `dir`. */
export async function rebaseInProgress(git: GitRunner, dir: string): Promise<boolean> {
  const paths = await git.run(dir, [
    "rev-parse",
    "--path-format=absolute",
    "--git-path",
    "rebase-merge",
    "--git-path",
    "rebase-apply",
  ]);
  return paths.stdout
    .split("\n")
    .filter((p) => p.length > 0)
    .some((p) => existsSync(p));
}
