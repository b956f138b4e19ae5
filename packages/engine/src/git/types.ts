/** One entry of `git worktree list` (the main checkout comes first). */
export interface WorktreeInfo {
  path: string;
  /** The checked-out commit; absent for a bare repository or an unborn branch. */
  head?: string;
  /** The checked-out branch, without `refs/heads/`; absent when detached. */
  branch?: string;
  detached: boolean;
  locked: boolean;
  /** Its directory is gone; `worktreePrune` forgets it. */
  prunable: boolean;
  bare: boolean;
}

/** One line of `git status --porcelain=v1`. `index` and `worktree` are git's X and Y letters. */
export interface StatusEntry {
  /** Relative to the top of the work tree. */
  path: string;
  index: string;
  worktree: string;
  /** The source path of a rename or copy. */
  origPath?: string;
}

export interface BranchInfo {
  /** Without `refs/heads/`. */
  name: string;
  commit: string;
}

export interface WorktreeAddOptions {
  /** Absolute path of the new worktree (must not exist or be an empty directory). */
  path: string;
  branch: string;
  /** Where a new branch starts; ignored when the branch exists (it is checked out as is). */
  base: string;
}

export interface WorktreeAddResult {
  path: string;
  branch: string;
  head: string;
  /** False when an existing branch was checked out (a resumed task keeps its commits). */
  createdBranch: boolean;
}

export interface CommitAllOptions {
  message: string;
  /** Written as real git trailers, e.g. `{ "Flotilla-Task": "task_1" }`. */
  trailers?: Record<string, string>;
}

export interface CommitResult {
  commit: string;
  /** Every path the commit adds, changes or deletes (both sides of a rename). */
  files: string[];
}

export type RebaseResult =
  | { ok: true; head: string }
  | {
      ok: false;
      /** Files with conflicts (may be empty when git stopped for another reason, see message). */
      conflicts: string[];
      message: string;
    };

export type FastForwardResult =
  | { ok: true; from: string; to: string }
  | {
      ok: false;
      reason: "not_fast_forward" | "dirty";
      /** For "dirty": the files in the checkout that stand in the way. */
      files: string[];
      message: string;
    };

export type ReplayCommitResult =
  | {
      ok: true;
      /** The replayed commit (the original when its parent already was `onto`; `onto` itself when `empty`). */
      commit: string;
      /** Its change was already in `onto`, so no commit was written. */
      empty: boolean;
    }
  | {
      ok: false;
      /** Files with conflicts. */
      conflicts: string[];
      message: string;
    };

/** Every git operation Flotilla performs. All directories are absolute. */
export interface Git {
  /** Top of the work tree holding `dir`. */
  topLevel(dir: string): Promise<string>;
  /** Creates a repository (for demos and tests); `initialBranch` defaults to git's default. */
  init(dir: string, options?: { initialBranch?: string }): Promise<void>;
  /** The checked-out branch, or undefined on a detached HEAD. */
  currentBranch(dir: string): Promise<string | undefined>;
  revParse(dir: string, rev: string): Promise<string>;
  tryRevParse(dir: string, rev: string): Promise<string | undefined>;
  isAncestor(dir: string, ancestor: string, descendant: string): Promise<boolean>;
  /** Commits in `to` but not in `from`, oldest first. */
  commitsBetween(dir: string, from: string, to: string): Promise<string[]>;

  branchExists(repo: string, branch: string): Promise<boolean>;
  createBranch(repo: string, branch: string, startPoint: string): Promise<string>;
  /** Returns false when there was no such branch. */
  deleteBranch(repo: string, branch: string, options?: { force?: boolean }): Promise<boolean>;
  /** Branches whose names start with `prefix`, sorted by name. */
  listBranches(repo: string, prefix: string): Promise<BranchInfo[]>;

  worktreeAdd(repo: string, options: WorktreeAddOptions): Promise<WorktreeAddResult>;
  worktreeList(repo: string): Promise<WorktreeInfo[]>;
  worktreeRemove(repo: string, path: string, options?: { force?: boolean }): Promise<void>;
  worktreePrune(repo: string): Promise<void>;
  worktreeReset(worktreePath: string, commit: string): Promise<void>;
  worktreeForBranch(repo: string, branch: string): Promise<string | undefined>;
  /** Puts an existing linked worktree on a branch (created at `base` when missing); for pooled worktrees. */
  worktreeSwitch(options: WorktreeAddOptions): Promise<WorktreeAddResult>;
  /** Detaches a linked worktree's HEAD where it is (frees its branch); returns the commit. */
  worktreeDetach(worktreePath: string): Promise<string>;
  /** A new linked worktree on a detached HEAD at `base`; returns the commit. */
  worktreeAddDetached(repo: string, path: string, base: string): Promise<string>;
  /** Renames a linked worktree (never the main checkout). */
  worktreeMove(repo: string, from: string, to: string): Promise<void>;

  status(dir: string): Promise<StatusEntry[]>;
  commitAll(dir: string, options: CommitAllOptions): Promise<CommitResult | undefined>;
  changedFiles(dir: string, from: string, to: string): Promise<string[]>;
  diff(dir: string, from: string, to: string, options?: { maxBytes?: number }): Promise<string>;
  /** The patch for parsing (parse-diff.ts): renames detected, `a/` `b/` prefixes; `truncated` past maxBytes. */
  patch(
    dir: string,
    from: string,
    to: string,
    options?: { maxBytes?: number },
  ): Promise<{ text: string; truncated: boolean }>;
  trailers(dir: string, commit: string): Promise<Record<string, string>>;
  /** A fingerprint of the work tree's changes against `base`, uncommitted and untracked ones included. */
  worktreeFingerprint(dir: string, base: string): Promise<string>;

  rebase(worktreeDir: string, onto: string): Promise<RebaseResult>;
  fastForward(repo: string, options: { branch: string; to: string }): Promise<FastForwardResult>;

  // The merge queue's worktree-free operations (merge-tree.ts, queue-support.ts).
  /** The best common ancestor of two commits, or undefined when they share no history. */
  mergeBase(dir: string, a: string, b: string): Promise<string | undefined>;
  /** The commits of `from..to` along first parents, oldest first. */
  firstParentCommits(dir: string, from: string, to: string): Promise<string[]>;
  /** Cherry-picks `commit` onto `onto` with merge-tree + a new commit object: no worktree, no ref moves. */
  replayCommit(dir: string, commit: string, onto: string): Promise<ReplayCommitResult>;
  /** The newest commit of `target` equivalent (patch-id) to `head`'s, when all of `head`'s have landed there. */
  findLandedEquivalent(
    dir: string,
    head: string,
    target: string,
    options?: { hint?: string },
  ): Promise<string | undefined>;
  /** The checkout's files that would make a fast-forward of `branch` to `to` refuse as "dirty". */
  fastForwardBlockers(repo: string, options: { branch: string; to: string }): Promise<string[]>;
}
