import { branchExists, createBranch, deleteBranch, listBranches } from "./branches.js";
import { commitAll, status, trailers } from "./commits.js";
import { changedFiles, diff, patch } from "./diffs.js";
import { fastForward } from "./fast-forward.js";
import { worktreeFingerprint } from "./fingerprint.js";
import { createGitRunner, type GitRunnerOptions } from "./git-runner.js";
import { findLandedEquivalent, firstParentCommits, mergeBase, replayCommit } from "./merge-tree.js";
import { fastForwardBlockers } from "./queue-support.js";
import { rebase } from "./rebase.js";
import { commitsBetween, currentBranch, init, isAncestor, revParse, topLevel, tryRevParse } from "./repo-queries.js";
import type { Git } from "./types.js";
import {
  worktreeAdd,
  worktreeForBranch,
  worktreeList,
  worktreePrune,
  worktreeRemove,
  worktreeReset,
} from "./worktrees.js";
import { worktreeAddDetached, worktreeDetach, worktreeMove, worktreeSwitch } from "./worktree-switch.js";

export type {
  BranchInfo,
  CommitAllOptions,
  CommitResult,
  FastForwardResult,
  Git,
  RebaseResult,
  ReplayCommitResult,
  StatusEntry,
  WorktreeAddOptions,
  WorktreeAddResult,
  WorktreeInfo,
} from "./types.js";
export type { GitCommandEvent, GitRunnerOptions as GitOptions } from "./git-runner.js";
export { assertBranchName, assertSafePath, assertSafeRef } from "./validate.js";
export { FALLBACK_IDENTITY } from "./git-env.js";
export { parseDiff, type DiffFile, type DiffHunk, type DiffLine } from "./parse-diff.js";

/**
 * The only way Flotilla runs git. Every command is an argv array run through runCommand, with
 * every ref, branch and path checked before git starts (see validate.ts).
 */
export function createGit(options: GitRunnerOptions = {}): Git {
  const git = createGitRunner(options);
  return {
    topLevel: (dir) => topLevel(git, dir),
    init: (dir, opts) => init(git, dir, opts?.initialBranch),
    currentBranch: (dir) => currentBranch(git, dir),
    revParse: (dir, rev) => revParse(git, dir, rev),
    tryRevParse: (dir, rev) => tryRevParse(git, dir, rev),
    isAncestor: (dir, ancestor, descendant) => isAncestor(git, dir, ancestor, descendant),
    commitsBetween: (dir, from, to) => commitsBetween(git, dir, from, to),

    branchExists: (repo, branch) => branchExists(git, repo, branch),
    createBranch: (repo, branch, startPoint) => createBranch(git, repo, branch, startPoint),
    deleteBranch: (repo, branch, opts) => deleteBranch(git, repo, branch, opts?.force ?? false),
    listBranches: (repo, prefix) => listBranches(git, repo, prefix),

    worktreeAdd: (repo, opts) => worktreeAdd(git, repo, opts),
    worktreeList: (repo) => worktreeList(git, repo),
    worktreeRemove: (repo, path, opts) => worktreeRemove(git, repo, path, opts?.force ?? false),
    worktreePrune: (repo) => worktreePrune(git, repo),
    worktreeReset: (worktreePath, commit) => worktreeReset(git, worktreePath, commit),
    worktreeForBranch: (repo, branch) => worktreeForBranch(git, repo, branch),
    worktreeSwitch: (opts) => worktreeSwitch(git, opts),
    worktreeDetach: (worktreePath) => worktreeDetach(git, worktreePath),
    worktreeAddDetached: (repo, path, base) => worktreeAddDetached(git, repo, path, base),
    worktreeMove: (repo, from, to) => worktreeMove(git, repo, from, to),

    status: (dir) => status(git, dir),
    commitAll: (dir, opts) => commitAll(git, dir, opts),
    changedFiles: (dir, from, to) => changedFiles(git, dir, from, to),
    diff: (dir, from, to, opts) => diff(git, dir, from, to, opts?.maxBytes),
    patch: async (dir, from, to, opts) => {
      const { text, truncated } = await patch(git, dir, from, to, opts?.maxBytes);
      return { text, truncated };
    },
    trailers: (dir, commit) => trailers(git, dir, commit),
    worktreeFingerprint: (dir, base) => worktreeFingerprint(git, dir, base),

    rebase: (worktreeDir, onto) => rebase(git, worktreeDir, onto),
    fastForward: (repo, opts) => fastForward(git, repo, opts.branch, opts.to),

    mergeBase: (dir, a, b) => mergeBase(git, dir, a, b),
    firstParentCommits: (dir, from, to) => firstParentCommits(git, dir, from, to),
    replayCommit: (dir, commit, onto) => replayCommit(git, dir, commit, onto),
    findLandedEquivalent: (dir, head, target, opts) => findLandedEquivalent(git, dir, head, target, opts?.hint),
    fastForwardBlockers: (repo, opts) => fastForwardBlockers(git, repo, opts.branch, opts.to),
  };
}
