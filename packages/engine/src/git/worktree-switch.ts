import { FlotillaError } from "@flotilla/protocol";
import { branchExists } from "./branches.js";
import type { GitRunner } from "./git-runner.js";
import { revParse, topLevel } from "./repo-queries.js";
import type { WorktreeAddOptions, WorktreeAddResult } from "./types.js";
import { assertAbsoluteDir, assertBranchName, assertSafeRef } from "./validate.js";

/**
 * Moves for reused (pooled) worktrees: put an existing linked worktree on a task's branch, free
 * its branch again, or create one with no branch at all. Like worktreeReset, each refuses the
 * main checkout, where discarding changes would destroy the user's work.
 */

/**
 * Puts the linked worktree at `path` on `branch`, discarding local changes to tracked files: a
 * missing branch is created at `base` (no upstream); an existing one is checked out as it is,
 * so a resumed task keeps its commits. Untracked files survive a switch: clean first
 * (worktreeReset) when none may.
 */
export async function worktreeSwitch(git: GitRunner, options: WorktreeAddOptions): Promise<WorktreeAddResult> {
  assertAbsoluteDir("worktree path", options.path);
  assertBranchName("branch", options.branch);
  assertSafeRef("base", options.base);
  const top = await linkedWorktreeTop(git, options.path);
  const exists = await branchExists(git, top, options.branch);
  if (exists) {
    await git.run(top, ["switch", "--quiet", "--discard-changes", "--no-guess", options.branch]);
  } else {
    const base = await revParse(git, top, options.base);
    await git.run(top, ["switch", "--quiet", "--discard-changes", "--no-track", "-c", options.branch, base]);
  }
  const head = await revParse(git, top, "HEAD");
  return { path: options.path, branch: options.branch, head, createdBranch: !exists };
}

/** Detaches HEAD of the linked worktree at `path` where it is, so its branch is free to delete or check out elsewhere. */
export async function worktreeDetach(git: GitRunner, path: string): Promise<string> {
  assertAbsoluteDir("worktree path", path);
  const top = await linkedWorktreeTop(git, path);
  await git.run(top, ["switch", "--quiet", "--discard-changes", "--detach", "HEAD"]);
  return revParse(git, top, "HEAD");
}

/** A new linked worktree at `path` on a detached HEAD at `base` (no branch): a spare to switch later. */
export async function worktreeAddDetached(git: GitRunner, repo: string, path: string, base: string): Promise<string> {
  assertAbsoluteDir("repository", repo);
  assertAbsoluteDir("worktree path", path);
  assertSafeRef("base", base);
  const commit = await revParse(git, repo, base);
  await git.run(repo, ["worktree", "add", "--quiet", "--detach", "--", path, commit]);
  return revParse(git, path, "HEAD");
}

async function linkedWorktreeTop(git: GitRunner, path: string): Promise<string> {
  const top = await topLevel(git, path);
  const dirs = await git.run(top, ["rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir"]);
  const [gitDir, commonDir] = dirs.stdout.split("\n");
  if (gitDir !== undefined && gitDir === commonDir) {
    throw new FlotillaError(
      "invalid_input",
      `refusing to switch ${path}: it is a main checkout, not a linked worktree`,
      {
        path,
      },
    );
  }
  return top;
}

/**
 * Renames a linked worktree (`git worktree move`): a pooled worktree handed to a task takes the
 * task's own name, `task-{id}-{timestamp}`, and keeps it while the task holds it.
 */
export async function worktreeMove(git: GitRunner, repo: string, from: string, to: string): Promise<void> {
  assertAbsoluteDir("repository", repo);
  assertAbsoluteDir("worktree path", from);
  assertAbsoluteDir("new worktree path", to);
  await linkedWorktreeTop(git, from);
  await git.run(repo, ["worktree", "move", from, to]);
}
