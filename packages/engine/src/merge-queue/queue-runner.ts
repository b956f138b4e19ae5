import type { CiStatus, Project, Task } from "@flotilla/protocol";
import { assertBranchName } from "../git/index.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import { tail, verifyCommandFor, verifyCommit } from "../run/verify.js";
import { batchSizeFor, chooseBatch, estimateFailureRate, resolveBatch } from "./batch-plan.js";
import {
  claimQueue,
  finishRun,
  listQueue,
  markConflicted,
  markFailed,
  markMerged,
  recentOutcomes,
  recordRun,
  releaseQueue,
  requeue,
  startMerging,
} from "./queue-state.js";
import { ensureQueueWorktree } from "./queue-worktree.js";
import { buildStack, type StackedEntry } from "./replay.js";

export interface MergeQueueOptions {
  /** The largest batch (default 8). */
  maxBatch?: number;
  /** A fixed batch size instead of the adaptive one. */
  batchSize?: number;
}

export interface MergeQueueReport {
  merged: string[];
  conflicted: string[];
  failed: string[];
  /** Sent back to awaiting_merge with a reason (files in the way, a target that kept moving). */
  blocked: string[];
  /** Verify commands run (a recorded PASS for the exact candidate is reused, not rerun). */
  ciRuns: number;
  /** The merge_batches ids of the batches tested (bisection steps are rows under them). */
  batches: string[];
  /** Flotilla was stopped: the entries of the batch under test went back to the queue. */
  interrupted: boolean;
}

const MAX_TARGET_RACES = 3;

class QueueInterrupted extends Error {}

interface Run {
  deps: PipelineDeps;
  project: Project;
  target: string;
  shutdown: AbortSignal;
  report: MergeQueueReport;
}

/**
 * Lands what waits in the merge queue of (project, target), batch after batch, and returns
 * when the queue is empty or only blocked entries remain (or Flotilla is stopped).
 */
export async function processMergeQueue(
  deps: PipelineDeps,
  project: Project,
  target: string,
  shutdown: AbortSignal,
  options: MergeQueueOptions = {},
): Promise<MergeQueueReport> {
  assertBranchName("target branch", target);
  const report: MergeQueueReport = {
    merged: [],
    conflicted: [],
    failed: [],
    blocked: [],
    ciRuns: 0,
    batches: [],
    interrupted: false,
  };
  const run: Run = { deps, project, target, shutdown, report };
  claimQueue(deps, project, target);
  try {
    let races = 0;
    while (!shutdown.aborted) {
      const queue = listQueue(deps, project, target);
      if (queue.length === 0) break;
      const size =
        options.batchSize ?? batchSizeFor(estimateFailureRate(recentOutcomes(deps, project, target)), options.maxBatch);
      const sameCommand = (a: Task, b: Task) =>
        JSON.stringify(verifyCommandFor(deps, a, project)) === JSON.stringify(verifyCommandFor(deps, b, project));
      const outcome = await runBatch(run, chooseBatch(queue, Math.max(1, size), sameCommand), races + 1);
      if (outcome === "interrupted") break;
      races = outcome === "raced" ? races + 1 : 0;
    }
  } finally {
    releaseQueue(deps, project, target);
  }
  report.interrupted = shutdown.aborted;
  return report;
}

type BatchOutcome = "done" | "raced" | "interrupted";

/** One batch: take, stack, test (and bisect), land. Every entry leaves merging before it returns. */
async function runBatch(run: Run, tasks: readonly Task[], attempt: number): Promise<BatchOutcome> {
  const { deps, project, target, report } = run;
  const repo = project.path;
  const taken = startMerging(deps, tasks, target);
  if (taken.length === 0) return "done";
  let openRow: string | undefined;
  try {
    const base = await deps.git.revParse(repo, `refs/heads/${target}`);
    const plan = await buildStack(deps.git, repo, taken, base);
    for (const { task, commit } of plan.landed) await land(run, task, commit, []);
    for (const { task, files, detail } of plan.conflicted) {
      markConflicted(deps, task.id, target, files, detail);
      report.conflicted.push(task.id);
    }
    for (const { task } of plan.deferred) requeue(deps, task.id, target);
    for (const { task, reason } of plan.unusable) fail(run, task, reason);
    const stacked = plan.stacked;
    const top = stacked.at(-1);
    if (top === undefined) return "done";

    const record = { projectId: project.id, target, base, taskIds: stacked.map((e) => e.task.id) };
    // A candidate that could not land now is not worth a CI run: the whole batch waits.
    const blockers = await deps.git.fastForwardBlockers(repo, { branch: target, to: top.tip });
    if (blockers.length > 0) {
      recordRun(deps, { ...record, candidate: top.tip }, "blocked");
      block(
        run,
        stacked,
        `the checkout of ${target} has uncommitted changes in files this merge would change`,
        blockers,
      );
      return "done";
    }

    const batchId = recordRun(deps, { ...record, candidate: top.tip });
    report.batches.push(batchId);
    const failures = new Map<number, CiStatus>();
    // The whole stack first (the batch's own row), then the bisection steps, each a row under it.
    const resolution = await resolveBatch(stacked.length, async (length) => {
      const entry = stacked[length - 1] as StackedEntry;
      const taskIds = record.taskIds.slice(0, length);
      const step = { ...record, taskIds, candidate: entry.tip, parentId: batchId };
      openRow = length === stacked.length ? batchId : recordRun(deps, step);
      const tested = await testCandidate(run, entry, openRow);
      openRow = undefined;
      if (tested.status && !tested.passed) failures.set(length, tested.status);
      return tested.passed;
    });

    const { culprit } = resolution;
    const guilty = culprit === undefined ? undefined : stacked[culprit];
    if (culprit !== undefined && guilty !== undefined) {
      const output = failures.get(culprit + 1)?.output ?? "";
      fail(run, guilty.task, `failed CI in the merge queue together with main at ${base}`, tail(output));
    }
    for (const entry of stacked.slice((culprit ?? stacked.length) + 1)) requeue(deps, entry.task.id, target);
    const landing = stacked.slice(0, resolution.landed);
    const last = landing.at(-1);
    if (last === undefined) return "done";

    const ff = await deps.git.fastForward(repo, { branch: target, to: last.tip });
    if (ff.ok) {
      for (const entry of landing) await land(run, entry.task, entry.tip, entry.commits);
      return "done";
    }
    if (ff.reason === "dirty") {
      block(run, landing, ff.message, ff.files);
      return "done";
    }
    // The target moved while CI ran: build again on its new tip (a few times).
    const gaveUp = attempt >= MAX_TARGET_RACES;
    for (const { task } of landing) {
      const reason = `${target} kept moving during ${MAX_TARGET_RACES} merge queue attempts; run \`flotilla merge ${task.id}\``;
      requeue(deps, task.id, target, gaveUp ? reason : undefined);
      if (gaveUp) report.blocked.push(task.id);
    }
    return "raced";
  } catch (error) {
    if (openRow !== undefined) finishRun(deps, openRow, "aborted");
    const interrupted = error instanceof QueueInterrupted;
    const reason = interrupted
      ? undefined
      : `the merge queue failed: ${error instanceof Error ? error.message : String(error)}`;
    for (const task of taken) {
      if (deps.store.read.tasks.get(task.id)?.state.status !== "merging") continue;
      requeue(deps, task.id, target, reason);
      if (reason !== undefined) report.blocked.push(task.id);
    }
    if (interrupted) return "interrupted";
    throw error;
  }
}

/** CI on one stacked candidate in the queue worktree; a PASS recorded for that exact commit is reused. */
async function testCandidate(
  run: Run,
  entry: StackedEntry,
  rowId: string,
): Promise<{ passed: boolean; status?: CiStatus }> {
  const { deps, project, target, shutdown } = run;
  if (deps.store.read.ci.find(entry.tip)?.status === "pass") {
    finishRun(deps, rowId, "pass");
    return { passed: true };
  }
  const dir = await ensureQueueWorktree(deps, project, target);
  await deps.git.worktreeReset(dir, entry.tip);
  const outcome = await verifyCommit(deps, entry.task, project, dir, entry.tip, shutdown);
  if (outcome.kind === "interrupted") throw new QueueInterrupted("Flotilla was stopped");
  if (outcome.kind === "skipped") {
    finishRun(deps, rowId, "pass");
    return { passed: true };
  }
  run.report.ciRuns++;
  const passed = outcome.status.status === "pass";
  finishRun(deps, rowId, passed ? "pass" : "fail", true);
  return { passed, status: outcome.status };
}

/** Marks a task merged at `commit` once it and every (replayed) commit of it are reachable from the target. */
async function land(run: Run, task: Task, commit: string, commits: readonly string[]): Promise<void> {
  const { deps, project, target } = run;
  const tip = await deps.git.revParse(project.path, `refs/heads/${target}`);
  for (const c of new Set([...commits, commit])) {
    if (!(await deps.git.isAncestor(project.path, c, tip))) {
      return fail(run, task, `merge check failed: ${c} is not reachable from ${target}`);
    }
  }
  markMerged(deps, task.id, target, commit);
  run.report.merged.push(task.id);
}

function fail(run: Run, task: Task, reason: string, detail?: string): void {
  markFailed(run.deps, task.id, reason, detail);
  run.report.failed.push(task.id);
}

function block(run: Run, entries: readonly StackedEntry[], why: string, files: readonly string[]): void {
  for (const { task } of entries) {
    const reason = `${why}: ${files.join(", ")}; commit or stash them, then run \`flotilla merge ${task.id}\``;
    requeue(run.deps, task.id, run.target, reason);
  }
  run.report.blocked.push(...entries.map((e) => e.task.id));
}
