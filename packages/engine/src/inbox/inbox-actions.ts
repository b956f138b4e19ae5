import { FlotillaError, type Task } from "@flotilla/protocol";
import { isProcessAlive } from "../process/index.js";
import { driveTask, type DriveOptions } from "../run/drive-task.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import { mustGet } from "../run/prepare-worktree.js";
import { runAgent } from "../run/run-agent.js";
import { abortTask, requestMerge, requeueTask } from "../run/task-actions.js";
import { runTasks } from "../scheduler/run-tasks.js";
import { listInbox, type InboxAction, type InboxItem } from "./list-inbox.js";

/** The inbox item `id`, or a not_found error naming it (it was answered, or its task moved on). */
export function findItem(deps: PipelineDeps, id: string, action: InboxAction): InboxItem {
  const item = listInbox(deps).find((i) => i.id === id);
  if (!item) {
    throw new FlotillaError(
      "not_found",
      `no inbox item "${id}": it was already answered or its task has moved on; see \`flotilla inbox\``,
      { id },
    );
  }
  if (!item.actions.includes(action)) {
    throw new FlotillaError(
      "illegal_transition",
      `inbox item ${id} (${item.kind}) cannot be ${action === "answer" ? "answered" : `${action}d`}; ` +
        `it takes: ${item.actions.join(", ")}`,
      { id },
    );
  }
  return item;
}

/** `flotilla answer`: the text goes to the agent as the next message in its session. */
export async function answerItem(deps: PipelineDeps, id: string, text: string, options: DriveOptions): Promise<Task> {
  if (text.trim() === "") throw new FlotillaError("invalid_input", "the answer must not be empty");
  const item = findItem(deps, id, "answer");
  return followUp(deps, item, text, options);
}

/**
 * `flotilla approve`: a permission request or a question gets "approved: go ahead" in its session;
 * a blocked merge or a conflict is landed again (`flotilla merge`); a failure is retried.
 */
export async function approveItem(deps: PipelineDeps, id: string, options: DriveOptions): Promise<Task> {
  const item = findItem(deps, id, "approve");
  switch (item.kind) {
    case "permission":
      return followUp(
        deps,
        item,
        `Approved: go ahead${item.tool !== undefined ? ` and use ${item.tool}` : ""}.`,
        options,
      );
    case "question":
      return followUp(deps, item, "Approved: go ahead.", options);
    case "approval":
    case "conflict":
      requestMerge(deps, item.taskId);
      return drive(deps, item.taskId, options);
    case "failure":
      requeueTask(deps, item.taskId);
      return drive(deps, item.taskId, options);
  }
}

/**
 * `flotilla deny`: a question or permission request gets the denial in its session (or, with
 * `inbox.onDeny: cancel`, the task is cancelled); anything else is cancelled. Worktrees stay.
 */
export async function denyItem(
  deps: PipelineDeps,
  id: string,
  reason: string | undefined,
  options: DriveOptions,
): Promise<Task> {
  const item = findItem(deps, id, "deny");
  const project = deps.store.read.projects.get(item.projectId);
  const onDeny = project ? deps.configFor(project).inbox.onDeny : "tell";
  if ((item.kind === "permission" || item.kind === "question") && onDeny === "tell") {
    const what =
      item.kind === "permission" ? `Permission denied${item.tool !== undefined ? ` for ${item.tool}` : ""}` : "Denied";
    const why = reason !== undefined && reason.trim() !== "" ? `: ${reason.trim()}` : "";
    return followUp(deps, item, `${what}${why}. Do not do that; find another way to finish the task.`, options);
  }
  return abortTask(deps, item.taskId);
}

/** Runs the follow-up turn in the task's session, then drives the task to rest (and lands it). */
async function followUp(deps: PipelineDeps, item: InboxItem, message: string, options: DriveOptions): Promise<Task> {
  const project = deps.store.read.projects.get(item.projectId);
  if (!project) throw new FlotillaError("not_found", `project ${item.projectId} is no longer registered`);
  claim(deps, item);
  try {
    await runAgent(deps, mustGet(deps, item.taskId), project, options.shutdown, message);
  } finally {
    release(deps, item.taskId);
  }
  return drive(deps, item.taskId, options);
}

/** Drives the task to rest in this process, then lets the merge queue land it (like `flotilla retry`). */
async function drive(deps: PipelineDeps, taskId: string, options: DriveOptions): Promise<Task> {
  const status = mustGet(deps, taskId).state.status;
  if (status !== "queued" && status !== "awaiting_merge") await driveTask(deps, taskId, options);
  if (options.shutdown.aborted) return mustGet(deps, taskId);
  return (await runTasks(deps, [taskId], { shutdown: options.shutdown })).at(0) ?? mustGet(deps, taskId);
}

/**
 * Takes the task's lease for this process, checking in the same transaction that the item is
 * still current: two answers to one question cannot both run.
 */
function claim(deps: PipelineDeps, item: InboxItem): void {
  deps.store.write((ctx) => {
    const owner = ctx.tasks.owner(item.taskId);
    const mine = owner?.pid === deps.self.pid && owner.startedAt === deps.self.startedAt;
    if (owner && !mine && isProcessAlive(owner.pid, owner.startedAt)) {
      throw new FlotillaError(
        "busy",
        `task ${item.taskId} is being run by another Flotilla process (pid ${owner.pid})`,
      );
    }
    const last = ctx.events.since(item.seq, { taskId: item.taskId, types: ["task.status-changed"], limit: 1 });
    if (last.length > 0) {
      throw new FlotillaError("not_found", `no inbox item "${item.id}": it was already answered`, { id: item.id });
    }
    ctx.tasks.setOwner(item.taskId, deps.self);
  });
}

function release(deps: PipelineDeps, taskId: string): void {
  deps.store.write((ctx) => {
    const owner = ctx.tasks.owner(taskId);
    if (owner?.pid === deps.self.pid && owner.startedAt === deps.self.startedAt) ctx.tasks.setOwner(taskId, undefined);
  });
}
