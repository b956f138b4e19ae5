import type { Task } from "@flotilla/protocol";
import type { Git } from "../git/index.js";

/**
 * Git-level stacking for the merge queue, with no worktree: each entry's commits
 * (merge-base..head, along first parents) are replayed with merge-tree + new commit objects
 * onto the target's tip, entry after entry. Refs never move here; a conflict leaves only
 * unreachable objects.
 */

/** One entry of a stack: `tip` is its replayed head, i.e. the target + every entry up to it. */
export interface StackedEntry {
  task: Task;
  head: string;
  tip: string;
  /** Its replayed commits, oldest first (empty when the stack below already held its change). */
  commits: string[];
}

export interface StackPlan {
  base: string;
  stacked: StackedEntry[];
  /** Already on the target (the head itself, or its replayed equivalent): nothing to land. */
  landed: { task: Task; commit: string }[];
  /** Conflicts with the target itself. */
  conflicted: { task: Task; files: string[]; detail: string }[];
  /** Conflicts only with an earlier entry of this stack: tried again in a later batch. */
  deferred: { task: Task; files: string[] }[];
  /** No commit to land. */
  unusable: { task: Task; reason: string }[];
}

export type ReplayOutcome =
  { ok: true; tip: string; commits: string[] } | { ok: false; files: string[]; message: string };

/** The commit a task lands: the one it was verified at, else its branch's tip. */
export async function taskHead(git: Git, repo: string, task: Task): Promise<string | undefined> {
  if (task.headCommit !== undefined) return task.headCommit;
  return git.tryRevParse(repo, `refs/heads/${task.branch}`);
}

/**
 * Where the task's change already is on the target (whose tip is `tip`): its head, when
 * reachable; else the replayed equivalent of its commits (same patch-ids), looked for only
 * when a commit since the common base carries its `Flotilla-Task` trailer if its head has one.
 */
export async function landedCommit(
  git: Git,
  repo: string,
  task: Task,
  head: string,
  tip: string,
): Promise<string | undefined> {
  if (await git.isAncestor(repo, head, tip)) return head;
  const trailers = await git.trailers(repo, head);
  const hint = trailers["Flotilla-Task"] === task.id ? `Flotilla-Task: ${task.id}` : undefined;
  return git.findLandedEquivalent(repo, head, tip, hint !== undefined ? { hint } : {});
}

/** Replays the commits of `head` that `onto` lacks onto `onto`, one by one. */
export async function replayTask(git: Git, repo: string, head: string, onto: string): Promise<ReplayOutcome> {
  const from = await git.mergeBase(repo, head, onto);
  if (from === undefined) return { ok: false, files: [], message: `${head} shares no history with ${onto}` };
  let tip = onto;
  const commits: string[] = [];
  for (const commit of await git.firstParentCommits(repo, from, head)) {
    const replayed = await git.replayCommit(repo, commit, tip);
    if (!replayed.ok) return { ok: false, files: replayed.conflicts, message: replayed.message };
    if (replayed.empty) continue;
    tip = replayed.commit;
    commits.push(tip);
  }
  return { ok: true, tip, commits };
}

/**
 * Stacks `tasks` (in queue order) on `base`: entry 2 replayed onto entry 1's replayed tip, and
 * so on. An entry that conflicts with the stack is checked against `base` alone: conflicting
 * there too makes it conflicted (with the files), otherwise it waits for a later batch.
 */
export async function buildStack(git: Git, repo: string, tasks: readonly Task[], base: string): Promise<StackPlan> {
  const plan: StackPlan = { base, stacked: [], landed: [], conflicted: [], deferred: [], unusable: [] };
  let tip = base;
  for (const task of tasks) {
    const head = await taskHead(git, repo, task);
    if (head === undefined) {
      plan.unusable.push({ task, reason: `nothing to merge: task ${task.id} has no commit and no branch` });
      continue;
    }
    const landed = await landedCommit(git, repo, task, head, base);
    if (landed !== undefined) {
      plan.landed.push({ task, commit: landed });
      continue;
    }
    const replayed = await replayTask(git, repo, head, tip);
    if (replayed.ok) {
      plan.stacked.push({ task, head, tip: replayed.tip, commits: replayed.commits });
      tip = replayed.tip;
      continue;
    }
    const alone = tip === base ? replayed : await replayTask(git, repo, head, base);
    if (alone.ok) {
      plan.deferred.push({ task, files: replayed.files });
    } else {
      const files = alone.files;
      const detail =
        files.length > 0
          ? `replaying ${task.branch} onto ${base} conflicts in: ${files.join(", ")}`
          : `replaying ${task.branch} onto ${base} failed: ${alone.message}`;
      plan.conflicted.push({ task, files, detail });
    }
  }
  return plan;
}
