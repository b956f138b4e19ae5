import { filesInTheWay } from "./checkout-safety.js";
import type { GitRunner } from "./git-runner.js";
import { revParse, tryRevParse } from "./repo-queries.js";
import { assertAbsoluteDir, assertBranchName, assertSafeRef } from "./validate.js";
import { worktreeForBranch } from "./worktrees.js";

/**
 * The files that would make `fastForward(repo, { branch, to })` answer "dirty" now: the
 * uncommitted or untracked files, in the checkout that has `branch`, that the move would
 * touch. Empty when no checkout has the branch (only its ref moves) or nothing is in the way.
 * Lets a caller find out before it spends a CI run on a commit that could not land.
 */
export async function fastForwardBlockers(git: GitRunner, repo: string, branch: string, to: string): Promise<string[]> {
  assertAbsoluteDir("repository", repo);
  assertBranchName("branch", branch);
  assertSafeRef("target", to);
  const checkout = await worktreeForBranch(git, repo, branch);
  if (checkout === undefined) return [];
  const tip = await tryRevParse(git, repo, `refs/heads/${branch}`);
  if (tip === undefined) return [];
  return filesInTheWay(git, checkout, tip, await revParse(git, repo, to));
}
