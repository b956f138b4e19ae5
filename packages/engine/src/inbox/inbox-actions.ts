import { FlotillaError, type Task } from "@flotilla/protocol";
import { allowTool } from "../run/allowed-tools.js";
import type { DriveOptions } from "../run/drive-task.js";
import { driveToRest as drive, sendFollowUp, type FollowUpTarget } from "../run/follow-up.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import { abortTask, requestMerge, requeueTask } from "../run/task-actions.js";
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

export interface ApproveOptions extends DriveOptions {
  /** For a permission request: allow its tool for the rest of the task (later requests do not ask). */
  always?: boolean;
}

/**
 * `flotilla approve`: a permission request or a question gets "approved: go ahead" in its session
 * (with `always`, the tool is allowed for the rest of the task); a task held for approval, a
 * blocked merge or a conflict is landed (`flotilla merge`: the hold of that task only is cleared);
 * a failure is retried. Then the task's plan goes on (its queued tasks whose dependencies merged).
 */
export async function approveItem(deps: PipelineDeps, id: string, options: ApproveOptions): Promise<Task> {
  const item = findItem(deps, id, "approve");
  const tool = item.tool;
  if (options.always === true && (item.kind !== "permission" || tool === undefined)) {
    throw new FlotillaError(
      "invalid_input",
      `"always" applies to a permission request; inbox item ${id} is a ${item.kind}`,
      { id },
    );
  }
  switch (item.kind) {
    case "permission": {
      const message = `Approved: go ahead${tool !== undefined ? ` and use ${tool}` : ""}${
        options.always === true ? " (allowed for the rest of this task)" : ""
      }.`;
      const remember = options.always === true && tool !== undefined;
      return sendFollowUp(deps, targetOf(item), message, options, (ctx) => {
        if (remember) allowTool(ctx, item.taskId, tool);
      });
    }
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

/** The follow-up target of an inbox item: stale once its task has moved on. */
function targetOf(item: InboxItem): FollowUpTarget {
  return {
    taskId: item.taskId,
    projectId: item.projectId,
    seq: item.seq,
    stale: () => new FlotillaError("not_found", `no inbox item "${item.id}": it was already answered`, { id: item.id }),
  };
}

function followUp(deps: PipelineDeps, item: InboxItem, message: string, options: DriveOptions): Promise<Task> {
  return sendFollowUp(deps, targetOf(item), message, options);
}
