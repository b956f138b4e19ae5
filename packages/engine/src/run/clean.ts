import { isAbsolute, relative } from "node:path";
import type { Project, TaskStatusName } from "@flotilla/protocol";
import type { PipelineDeps } from "./pipeline-deps.js";
import { queueWorktreePath } from "../merge-queue/queue-worktree.js";
import { sweepThrowawayWorktrees } from "../orchestrator/throwaway-worktree.js";
import { worktreeDirFor } from "./prepare-worktree.js";

export interface CleanReport {
  removedWorktrees: string[];
  removedBranches: string[];
  /** Left in place, with why: uncommitted work or unmerged commits are never thrown away. */
  kept: { what: string; why: string }[];
}

const BUSY: readonly TaskStatusName[] = [
  "queued",
  "preparing",
  "running",
  "verifying",
  "awaiting_merge",
  "merging",
  "needs_input",
  "interrupted",
  "conflicted",
];

/**
 * Removes orphaned task worktrees (under Flotilla's worktree folder, not used by a live task) and
 * `flotilla/*` branches whose work has landed. With `force`, also unmerged branches of tasks that
 * are gone or cancelled — never a worktree holding uncommitted changes. The orchestrator's
 * throwaway worktrees (an answer's, a plan proposal's) whose Flotilla process is gone go too, as
 * at every start's reconcile (orchestrator/throwaway-worktree.ts).
 */
export async function cleanProject(
  deps: PipelineDeps,
  project: Project,
  options: { force?: boolean; dryRun?: boolean } = {},
): Promise<CleanReport> {
  const { git, store } = deps;
  const report: CleanReport = { removedWorktrees: [], removedBranches: [], kept: [] };
  const tasks = store.read.tasks.list({ projectId: project.id });
  const inUse = new Set(
    tasks
      .filter((t) => BUSY.includes(t.state.status) || t.state.status === "failed")
      .flatMap((t) => (t.worktreePath ? [t.worktreePath] : [])),
  );
  // The merge queue's own checkout is recreated when missing, but never taken while it lands.
  for (const t of tasks) if (t.state.status === "merging") inUse.add(queueWorktreePath(deps, project, t.targetBranch));
  const ours = worktreeDirFor(deps, project);
  const throwaways = await sweepThrowawayWorktrees(deps, {
    repo: project.path,
    ...(options.dryRun ? { dryRun: true } : {}),
  });
  report.removedWorktrees.push(...throwaways.removedWorktrees);
  await git.worktreePrune(project.path);

  const pooled = new Set(store.read.pool.list({ projectId: project.id }).map((e) => e.path));
  for (const wt of await git.worktreeList(project.path)) {
    if (!isUnder(ours, wt.path) || inUse.has(wt.path) || pooled.has(wt.path)) continue;
    const changes = await git.status(wt.path).catch(() => []);
    if (changes.length > 0) {
      report.kept.push({ what: wt.path, why: `${changes.length} uncommitted change(s)` });
      continue;
    }
    if (!options.dryRun) await git.worktreeRemove(project.path, wt.path, { force: false });
    report.removedWorktrees.push(wt.path);
  }

  const checkedOut = new Set((await git.worktreeList(project.path)).flatMap((w) => (w.branch ? [w.branch] : [])));
  const byBranch = new Map(tasks.map((t) => [t.branch, t]));
  for (const branch of await git.listBranches(project.path, "flotilla/")) {
    const task = byBranch.get(branch.name);
    if (checkedOut.has(branch.name) || (task && BUSY.includes(task.state.status))) continue;
    const target = task?.targetBranch ?? (await git.currentBranch(project.path));
    const targetTip = target ? await git.tryRevParse(project.path, `refs/heads/${target}`) : undefined;
    const landedCommit = task?.state.status === "merged" ? task.state.commit : branch.commit;
    const landed = targetTip !== undefined && (await git.isAncestor(project.path, landedCommit, targetTip));
    const abandoned = !task || task.state.status === "cancelled";
    if (!landed && !(options.force && abandoned)) {
      report.kept.push({
        what: branch.name,
        why: landed ? "" : "has commits that are not on the target branch (use --force for abandoned tasks)",
      });
      continue;
    }
    if (!options.dryRun) await git.deleteBranch(project.path, branch.name, { force: true });
    report.removedBranches.push(branch.name);
  }
  return report;
}

function isUnder(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
}
