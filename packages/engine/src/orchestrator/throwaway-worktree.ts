import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { isProcessAlive, sweepMarker } from "../process/index.js";
import type { PipelineDeps, ProcessIdentity } from "../run/pipeline-deps.js";

/**
 * The orchestrator's throwaway worktrees: the one an answer to an `ask` runs in
 * (`worktrees/asking/ask_<uuid>`, detached) and the one `flotilla plan` proposes a plan in
 * (`worktrees/planning/plan_<ulid>`, on the branch `flotilla/plan_<ulid>`). Each is recorded before
 * it is made — its id (which is also the marker its agent process carries), its repository, and
 * the Flotilla process that holds it (pid and start time) — in `state/throwaway-worktrees/<id>.json`,
 * and the record goes only once the worktree is gone. So after a SIGKILL the next start's reconcile
 * (`sweepThrowawayWorktrees`) finds what a Flotilla process that is gone left: it ends that agent's
 * processes by their marker and removes the worktree (`git worktree remove --force`, then `git
 * worktree prune`) and the planning branch. A worktree whose holder is alive is never touched.
 *
 * The record is a file, not a row of the runs table: a plan being proposed belongs to no task (the
 * runs table's rows do), and one kind of record serves both; an answer's run row still carries its
 * usage and status (answer-question.ts).
 */
export type ThrowawayKind = "asking" | "planning";

const ThrowawayRecordSchema = z.object({
  kind: z.enum(["asking", "planning"]),
  id: z.string(),
  repo: z.string().min(1),
  owner: z.object({ pid: z.number().int().positive(), startedAt: z.string() }),
  createdAt: z.string(),
});
type ThrowawayRecord = z.output<typeof ThrowawayRecordSchema>;

/** What an id of each kind looks like: it names a folder under the home, so nothing else passes. */
const ID: Record<ThrowawayKind, RegExp> = {
  asking: /^ask_[A-Za-z0-9-]{1,100}$/,
  planning: /^plan_[A-Za-z0-9]{1,100}$/,
};

export interface ThrowawayWorktree {
  kind: ThrowawayKind;
  /** Also the marker of the agent that works in it. */
  id: string;
  repo: string;
  /** The worktree's folder, under the home's worktrees folder. */
  path: string;
  /** The planning worktree's own branch; none for an answer's (detached). */
  branch?: string;
}

/** Where a throwaway worktree of this kind and id lives, and its branch. */
export function throwawayWorktree(
  deps: Pick<PipelineDeps, "home">,
  kind: ThrowawayKind,
  id: string,
  repo: string,
): ThrowawayWorktree {
  if (!ID[kind].test(id)) throw new Error(`invalid ${kind} worktree id: ${JSON.stringify(id)}`);
  return {
    kind,
    id,
    repo,
    path: join(deps.home.worktrees, kind, id),
    ...(kind === "planning" ? { branch: `flotilla/${id}` } : {}),
  };
}

function recordsDir(deps: Pick<PipelineDeps, "home">): string {
  return join(deps.home.state, "throwaway-worktrees");
}

function recordPath(deps: Pick<PipelineDeps, "home">, id: string): string {
  return join(recordsDir(deps), `${id}.json`);
}

/**
 * Records the worktree as held by this Flotilla process, then adds it at `base` (detached for an
 * answer, on its new branch for a plan). Throws when it cannot be made, leaving nothing behind.
 */
export async function addThrowawayWorktree(
  deps: Pick<PipelineDeps, "home" | "git" | "self">,
  wt: ThrowawayWorktree,
  base: string,
): Promise<void> {
  const record: ThrowawayRecord = {
    kind: wt.kind,
    id: wt.id,
    repo: wt.repo,
    owner: { pid: deps.self.pid, startedAt: deps.self.startedAt },
    createdAt: new Date().toISOString(),
  };
  mkdirSync(recordsDir(deps), { recursive: true });
  writeFileSync(recordPath(deps, wt.id), `${JSON.stringify(record)}\n`);
  try {
    if (wt.branch !== undefined) await deps.git.worktreeAdd(wt.repo, { path: wt.path, branch: wt.branch, base });
    else await deps.git.worktreeAddDetached(wt.repo, wt.path, base);
  } catch (e) {
    await removeThrowawayWorktree(deps, wt);
    throw e;
  }
}

/**
 * Removes the worktree (forced: what the agent wrote there is thrown away), prunes, deletes the
 * planning branch, and then the record. Never throws: what cannot be removed is left for the next
 * reconcile (the record stays when the folder does).
 */
export async function removeThrowawayWorktree(
  deps: Pick<PipelineDeps, "home" | "git">,
  wt: ThrowawayWorktree,
): Promise<boolean> {
  await deps.git.worktreeRemove(wt.repo, wt.path, { force: true }).catch(() => undefined);
  if (wt.branch !== undefined) await deps.git.deleteBranch(wt.repo, wt.branch, { force: true }).catch(() => false);
  try {
    // The repository may be gone (or the folder never became a worktree): the folder is ours.
    rmSync(wt.path, { recursive: true, force: true });
  } catch {
    return false;
  }
  await deps.git.worktreePrune(wt.repo).catch(() => undefined);
  rmSync(recordPath(deps, wt.id), { force: true });
  return true;
}

export interface ThrowawaySweep {
  /** The worktrees removed: their folders. */
  removedWorktrees: string[];
  /** Processes ended by the worktrees' markers (an interrupted answer's are usually gone by then). */
  sweptProcesses: number;
}

export interface ThrowawaySweepOptions {
  /** Only the worktrees of this repository (`flotilla clean` of one project). */
  repo?: string;
  /** Say what would be removed; end and remove nothing. */
  dryRun?: boolean;
  /** The stop ladder's grace for the leftover processes. */
  graceMs?: number;
}

/**
 * After a crash: every throwaway worktree whose holder (the Flotilla process recorded with it) is
 * gone — an answer or a plan proposal interrupted by a SIGKILL — has its agent's processes ended by
 * their marker and is removed. Worktrees held by a live Flotilla process are left alone. Called by
 * every start's reconcile, and by `flotilla clean` (which a daemon runs without a reconcile).
 */
export async function sweepThrowawayWorktrees(
  deps: Pick<PipelineDeps, "home" | "git" | "self">,
  options: ThrowawaySweepOptions = {},
): Promise<ThrowawaySweep> {
  const sweep: ThrowawaySweep = { removedWorktrees: [], sweptProcesses: 0 };
  let files: string[];
  try {
    files = readdirSync(recordsDir(deps)).filter((f) => f.endsWith(".json"));
  } catch {
    return sweep; // none was ever made
  }
  for (const file of files) {
    const record = readRecord(join(recordsDir(deps), file));
    if (!record || `${record.id}.json` !== file || !ID[record.kind].test(record.id)) continue;
    if ((options.repo !== undefined && record.repo !== options.repo) || holderAlive(deps.self, record.owner)) continue;
    const wt = throwawayWorktree(deps, record.kind, record.id, record.repo);
    if (options.dryRun) {
      sweep.removedWorktrees.push(wt.path);
      continue;
    }
    sweep.sweptProcesses += (await sweepMarker(record.id, options.graceMs ?? 1000)).length;
    if (await removeThrowawayWorktree(deps, wt)) sweep.removedWorktrees.push(wt.path);
  }
  return sweep;
}

function readRecord(path: string): ThrowawayRecord | undefined {
  try {
    const parsed = ThrowawayRecordSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // gone meanwhile (its holder removed it), or half-written: left alone
  }
}

function holderAlive(self: ProcessIdentity, owner: { pid: number; startedAt: string }): boolean {
  if (owner.pid === self.pid && owner.startedAt === self.startedAt) return true;
  return isProcessAlive(owner.pid, owner.startedAt);
}
