import type { FlotillaEvent, NotifyEvent, Task } from "@flotilla/protocol";

/** What every notifier receives: one task event, as JSON (the webhook body, the command's env). */
export interface NotifyPayload {
  event: NotifyEvent;
  taskId: string;
  title: string;
  projectId: string;
  branch: string;
  /** The task's new status, as stored (`merged{commit}`, `failed{reason}`, `needs_input{question}`). */
  status: Task["state"];
  /** A one-line summary for a person. */
  summary: string;
  seq: number;
  at: string;
}

/** The notification a stored event calls for, if any: a task merged, failed, or needs input. */
export function payloadFor(event: FlotillaEvent, task: Task | undefined): NotifyPayload | undefined {
  const p = event.payload;
  if (p.type !== "task.status-changed" || !task) return undefined;
  const to = p.to;
  let summary: string;
  switch (to.status) {
    case "merged":
      summary = `${task.title}: merged into ${task.targetBranch} at ${to.commit.slice(0, 10)}`;
      break;
    case "failed":
      summary = `${task.title}: failed: ${to.reason}`;
      break;
    case "needs_input":
      summary = `${task.title}: needs you: ${to.question}`;
      break;
    default:
      return undefined;
  }
  return {
    event: to.status,
    taskId: task.id,
    title: task.title,
    projectId: task.projectId,
    branch: task.branch,
    status: to,
    summary,
    seq: event.seq,
    at: event.at,
  };
}

/** The payload as environment variables, for a command notifier. */
export function payloadEnv(payload: NotifyPayload): Record<string, string> {
  return {
    FLOTILLA_EVENT: payload.event,
    FLOTILLA_EVENT_JSON: JSON.stringify(payload),
    FLOTILLA_TASK_ID: payload.taskId,
    FLOTILLA_TASK_TITLE: payload.title,
    FLOTILLA_TASK_STATUS: payload.status.status,
    FLOTILLA_SUMMARY: payload.summary,
  };
}
