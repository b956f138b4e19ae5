import { FlotillaError } from "@flotilla/protocol";
import { branchBusyElsewhere, filesInTheWay } from "./checkout-safety.js";
import { gitFailed, outputTail, type GitRunner } from "./git-runner.js";
import { isAncestor, revParse, tryRevParse } from "./repo-queries.js";
import type { FastForwardResult } from "./types.js";
import { assertAbsoluteDir, assertBranchName, assertSafeRef } from "./validate.js";
import { worktreeForBranch } from "./worktrees.js";

const MAX_ATTEMPTS = 3;

/**
 * Moves `branch` to `to` only as a fast-forward; never forces, never rewrites. When the branch
 * is checked out (usually the user's main checkout), the checkout is updated with
 * `merge --ff-only`, but only if no uncommitted or untracked file there would be touched:
 * otherwise nothing happens and the result is "dirty". When it is not checked out anywhere,
 * the ref is moved with a compare-and-swap `update-ref`.
 */
export async function fastForward(
  git: GitRunner,
  repo: string,
  branch: string,
  to: string,
): Promise<FastForwardResult> {
  assertAbsoluteDir("repository", repo);
  assertBranchName("branch", branch);
  assertSafeRef("target", to);
  const target = await revParse(git, repo, to);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const tip = await tryRevParse(git, repo, `refs/heads/${branch}`);
    if (tip === undefined) throw new FlotillaError("not_found", `no branch ${branch} in ${repo}`, { repo, branch });
    if (tip === target) return { ok: true, from: tip, to: target };
    if (!(await isAncestor(git, repo, tip, target))) {
      return refusal("not_fast_forward", [], `${branch} (${tip}) is not an ancestor of ${to} (${target})`);
    }
    const busy = await branchBusyElsewhere(git, repo, branch);
    if (busy !== undefined) return refusal("dirty", [], `${branch} is in use: ${busy}`);

    const checkout = await worktreeForBranch(git, repo, branch);
    if (checkout !== undefined) return fastForwardCheckout(git, checkout, branch, tip, target);

    const args = ["update-ref", "-m", `flotilla: fast-forward ${branch}`, `refs/heads/${branch}`, target, tip];
    const moved = await git.run(repo, args, { allowAnyExitCode: true });
    if (moved.exitCode === 0) return { ok: true, from: tip, to: target };
    // Someone moved the branch between the check and the swap: look again. Otherwise, fail.
    if ((await tryRevParse(git, repo, `refs/heads/${branch}`)) === tip) {
      throw gitFailed(args, repo, moved.exitCode, moved.stderr, moved.stderr.trim());
    }
  }
  return refusal("not_fast_forward", [], `${branch} kept moving while it was being fast-forwarded`);
}

async function fastForwardCheckout(
  git: GitRunner,
  checkout: string,
  branch: string,
  tip: string,
  target: string,
): Promise<FastForwardResult> {
  const blocking = await filesInTheWay(git, checkout, tip, target);
  if (blocking.length > 0) {
    return refusal(
      "dirty",
      blocking,
      `${checkout} has uncommitted changes in files the fast-forward of ${branch} would change`,
    );
  }
  const args = ["merge", "--ff-only", "--no-autostash", "--no-stat", "--quiet", target];
  const merged = await git.run(checkout, args, { allowAnyExitCode: true });
  if (merged.exitCode === 0) return { ok: true, from: tip, to: target };

  const output = `${merged.stdout}\n${merged.stderr}`;
  if (/would be (overwritten|removed)/.test(output)) {
    return refusal(
      "dirty",
      listedFiles(output),
      `git refused to touch local changes in ${checkout}: ${outputTail(output)}`,
    );
  }
  if (/not possible to fast-forward/i.test(output)) {
    return refusal("not_fast_forward", [], `${branch} moved in ${checkout}: ${outputTail(output)}`);
  }
  throw gitFailed(args, checkout, merged.exitCode, merged.stderr, outputTail(output));
}

/** The tab-indented file names git lists under "would be overwritten by merge:". */
function listedFiles(output: string): string[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("\t"))
    .map((line) => line.trim());
}

function refusal(reason: "not_fast_forward" | "dirty", files: string[], message: string): FastForwardResult {
  return { ok: false, reason, files, message };
}
