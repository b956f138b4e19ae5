import type { Task } from "@flotilla/protocol";
import type { Git } from "../git/index.js";
import type { Store } from "../store/index.js";
import { isParked } from "../tasks/task-transitions.js";
import type { LeaseOwner } from "./leases.js";

/**
 * A parked task's write lease (awaiting_merge with a reason: held for approval, or blocked) holds
 * exactly the files the task changed, not its declared writes: its work is done and waits on its
 * branch, so it can touch nothing else until a person takes it up again (then `moveTask` gives the
 * lease its declared writes back). A parked task that changed nothing holds no lease. So a held
 * task that declared no writes (which locks everything while it runs) does not keep every other
 * task of the project waiting for a person.
 *
 * The lease of a parked task is never released as stale (`releaseStale`); it goes when the task is
 * merged, failed or cancelled.
 */

export interface ParkedLeaseDeps {
  store: Store;
  git: Git;
  /** The owner of a lease this creates (a parked task whose lease was lost). */
  self: LeaseOwner;
}

/**
 * Narrows the lease of every parked task of the project to the files it changed (its branch
 * against the merge base with its target), once per parking in this process. When git cannot
 * tell, the task keeps (or gets) its declared writes. A task that moved on meanwhile is left alone.
 */
export async function narrowParkedLeases(deps: ParkedLeaseDeps, projectId: string): Promise<void> {
  const project = deps.store.read.projects.get(projectId);
  if (!project) return;
  const done = narrowedIn(deps.store);
  const parked = deps.store.read.tasks
    .list({ projectId, statuses: ["awaiting_merge"] })
    .filter((t) => isParked(t.state));
  for (const id of done.keys()) if (!parked.some((t) => t.id === id)) done.delete(id);
  for (const task of parked) {
    const mark = parking(task);
    if (done.get(task.id) === mark) continue;
    const files = await changedFiles(deps.git, project.path, task).catch(() => undefined);
    const applied = deps.store.write((ctx) => {
      const now = ctx.tasks.get(task.id);
      if (!now || !isParked(now.state) || parking(now) !== mark) return false;
      const held = ctx.leases.get(task.id);
      if (files?.length === 0) {
        ctx.leases.delete(task.id);
        return true;
      }
      if (files === undefined && held) return true; // could not tell: it keeps what it holds
      ctx.leases.put({
        taskId: task.id,
        projectId: task.projectId,
        globs: files === undefined ? [...task.writes] : [...new Set(files.map(literalGlob))],
        ownerPid: held?.ownerPid ?? deps.self.pid,
        ownerStartedAt: held?.ownerStartedAt ?? deps.self.startedAt,
        acquiredAt: held?.acquiredAt ?? ctx.now,
        heartbeatAt: ctx.now,
      });
      return true;
    });
    if (applied) done.set(task.id, mark);
  }
}

const GLOB_PUNCTUATION = new Set("!\"#$%&'()*+,:;<=>?@[]^`{|}~");

/**
 * A glob that matches exactly `path` (picomatch, as the write-sets are matched): every ASCII
 * punctuation character but `-`, `.`, `/` and `_` is escaped with a backslash. A backslash in the
 * path becomes `?` (any one character), since picomatch does not match escaped backslashes
 * reliably; that glob still matches the path, and little else.
 */
export function literalGlob(path: string): string {
  let glob = "";
  for (const c of path) glob += c === "\\" ? "?" : GLOB_PUNCTUATION.has(c) ? `\\${c}` : c;
  return glob;
}

/** The files the task's branch changed against the merge base with its target; undefined when unknown. */
async function changedFiles(git: Git, repo: string, task: Task): Promise<string[] | undefined> {
  const head = (await git.tryRevParse(repo, `refs/heads/${task.branch}`)) ?? task.headCommit;
  if (head === undefined) return undefined;
  const target = await git.tryRevParse(repo, `refs/heads/${task.targetBranch}`);
  const base = (target !== undefined ? await git.mergeBase(repo, head, target) : undefined) ?? task.baseCommit;
  if (base === undefined) return undefined;
  return base === head ? [] : git.changedFiles(repo, base, head);
}

/** One parking of a task: a new status move (or a new head) is a new one. */
function parking(task: Task): string {
  return `${task.updatedAt} ${task.headCommit ?? ""}`;
}

/** The parkings whose lease this process narrowed, per store, by task. */
const narrowedByStore = new WeakMap<Store, Map<string, string>>();
function narrowedIn(store: Store): Map<string, string> {
  let map = narrowedByStore.get(store);
  if (!map) narrowedByStore.set(store, (map = new Map<string, string>()));
  return map;
}
