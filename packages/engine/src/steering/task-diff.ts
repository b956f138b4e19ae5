import { FlotillaError } from "@flotilla/protocol";
import { parseDiff, type DiffFile } from "../git/index.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";

/** At most this much of a task's patch is read and parsed. */
const MAX_PATCH_BYTES = 5 * 1024 * 1024;

/** What a task changed: its branch head against the merge base with its target, parsed and as a patch. */
export interface TaskDiffResult {
  taskId: string;
  /** "" when the task has no commits yet. */
  base: string;
  head: string;
  files: DiffFile[];
  /** The patch was cut at the size limit. */
  truncated: boolean;
  /** The patch as git wrote it (for an export). */
  patch: string;
}

/**
 * The task's branch head (its tip, or the head it recorded once the branch is gone) against the
 * merge base with its target branch. A merged task's base is where it started, so its diff still
 * shows its work. A task without a branch or commits yet has an empty diff.
 */
export async function taskDiff(deps: Pick<PipelineDeps, "store" | "git">, taskId: string): Promise<TaskDiffResult> {
  const { store, git } = deps;
  const task = store.read.tasks.get(taskId);
  if (!task) throw new FlotillaError("not_found", `no task "${taskId}"; see \`flotilla status\``, { taskId });
  const empty: TaskDiffResult = { taskId, base: "", head: "", files: [], truncated: false, patch: "" };
  const project = store.read.projects.get(task.projectId);
  if (!project) return empty;
  const head = (await git.tryRevParse(project.path, `refs/heads/${task.branch}`)) ?? task.headCommit;
  if (head === undefined) return empty;
  const target = await git.tryRevParse(project.path, `refs/heads/${task.targetBranch}`);
  let base = target !== undefined ? await git.mergeBase(project.path, head, target) : undefined;
  if (
    base === head &&
    task.baseCommit !== undefined &&
    task.baseCommit !== head &&
    (await git.isAncestor(project.path, task.baseCommit, head))
  ) {
    base = task.baseCommit; // landed as it is: the target holds the head, so show what it added
  }
  base ??= task.baseCommit;
  if (base === undefined || base === head) return { ...empty, base: base ?? "", head };
  const { text, truncated } = await git.patch(project.path, base, head, { maxBytes: MAX_PATCH_BYTES });
  return { taskId, base, head, files: parseDiff(text), truncated, patch: text };
}
