import { existsSync, realpathSync } from "node:fs";
import { resolve } from "node:path";
import { FlotillaError } from "@flotilla/protocol";
import { branchExists, createBranch } from "./branches.js";
import type { GitRunner } from "./git-runner.js";
import { parseWorktreeList } from "./porcelain.js";
import { rebaseInProgress } from "./rebase.js";
import { revParse, topLevel } from "./repo-queries.js";
import type { WorktreeAddOptions, WorktreeAddResult, WorktreeInfo } from "./types.js";
import { assertAbsoluteDir, assertBranchName, assertSafeRef } from "./validate.js";

/**
 * A new worktree at `path` on `branch`. A missing branch is created at `base`; an existing one
 * is checked out as it is, so a resumed task keeps its commits.
 */
export async function worktreeAdd(
  git: GitRunner,
  repo: string,
  options: WorktreeAddOptions,
): Promise<WorktreeAddResult> {
  assertAbsoluteDir("repository", repo);
  assertAbsoluteDir("worktree path", options.path);
  assertBranchName("branch", options.branch);
  assertSafeRef("base", options.base);
  const exists = await branchExists(git, repo, options.branch);
  // The branch first, in a command of its own: `worktree add -b` creates it before it can still
  // die on another worktree being created, and a repeat would then find the branch taken.
  if (!exists) await createBranch(git, repo, options.branch, options.base);
  await oneAtATimePerRepository(repo, () =>
    git.run(repo, ["worktree", "add", "--quiet", "--", options.path, options.branch]),
  );
  const head = await revParse(git, options.path, "HEAD");
  return { path: options.path, branch: options.branch, head, createdBranch: !exists };
}

const worktreeAddsInFlight = new Map<string, Promise<unknown>>();

/**
 * Runs `work` after every earlier call for the same repository has settled: tasks started
 * together add their worktrees one by one, so none reads another's half-written admin files.
 * (Other processes are covered by the runner's retry of that failure.)
 */
async function oneAtATimePerRepository<T>(repo: string, work: () => Promise<T>): Promise<T> {
  const key = canonical(repo);
  const before = worktreeAddsInFlight.get(key) ?? Promise.resolve();
  const mine = before.then(work, work);
  const settled = mine.then(
    () => undefined,
    () => undefined,
  );
  worktreeAddsInFlight.set(key, settled);
  try {
    return await mine;
  } finally {
    if (worktreeAddsInFlight.get(key) === settled) worktreeAddsInFlight.delete(key);
  }
}

export async function worktreeList(git: GitRunner, repo: string): Promise<WorktreeInfo[]> {
  assertAbsoluteDir("repository", repo);
  const result = await git.run(repo, ["worktree", "list", "--porcelain", "-z"]);
  return parseWorktreeList(result.stdout);
}

export async function worktreePrune(git: GitRunner, repo: string): Promise<void> {
  assertAbsoluteDir("repository", repo);
  await git.run(repo, ["worktree", "prune"]);
}

/**
 * Removes the worktree at `path` (with `force`, even when it holds changes), then prunes.
 * A path that is no longer a worktree is not an error.
 */
export async function worktreeRemove(git: GitRunner, repo: string, path: string, force = false): Promise<void> {
  assertAbsoluteDir("repository", repo);
  assertAbsoluteDir("worktree path", path);
  const listed = (await worktreeList(git, repo)).some((w) => samePath(w.path, path));
  if (listed && existsSync(path)) {
    await git.run(repo, ["worktree", "remove", ...(force ? ["--force"] : []), "--", path]);
  }
  await worktreePrune(git, repo);
}

/**
 * Makes a linked worktree exactly `commit`: `reset --hard` (which also moves a checked-out
 * branch) and `clean -ffdx`, so no file of a previous task survives, ignored ones included;
 * a rebase left stopped there is forgotten first.
 * Refuses the main checkout, where this would destroy the user's work.
 */
export async function worktreeReset(git: GitRunner, worktreePath: string, commit: string): Promise<void> {
  const top = await topLevel(git, worktreePath);
  const dirs = await git.run(top, ["rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir"]);
  const [gitDir, commonDir] = dirs.stdout.split("\n");
  if (gitDir !== undefined && gitDir === commonDir) {
    throw new FlotillaError(
      "invalid_input",
      `refusing to reset ${worktreePath}: it is a main checkout, not a linked worktree`,
      {
        path: worktreePath,
      },
    );
  }
  const sha = await revParse(git, top, commit);
  // A rebase a previous task left stopped would otherwise outlive the reset.
  if (await rebaseInProgress(git, top)) await git.run(top, ["rebase", "--quit"]);
  await git.run(top, ["reset", "--hard", "--quiet", sha]);
  await git.run(top, ["clean", "-ffdx", "--quiet"]);
}

/** The worktree (the main checkout included) that has `branch` checked out, if any. */
export async function worktreeForBranch(git: GitRunner, repo: string, branch: string): Promise<string | undefined> {
  assertBranchName("branch", branch);
  const worktrees = await worktreeList(git, repo);
  return worktrees.find((w) => w.branch === branch && !w.prunable)?.path;
}

/** Whether two absolute paths name the same place (symlinks resolved where they exist). */
export function samePath(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

function canonical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}
