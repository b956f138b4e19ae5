import type { AgentEvent, FlotillaEvent, Project } from "@flotilla/protocol";
import { BATCH_HISTORY, OUTPUT_LINES_PER_TASK, withDerived, type TaskView, type ViewState } from "./view-state.js";

/**
 * The one reducer from events to view state. PURE: no clock, no I/O; the same events give the
 * same state. An event at or below `state.lastSeq` is ignored, so a replay after a snapshot or a
 * reconnect that overlaps is harmless (idempotent catch-up).
 */
export function reduce(state: ViewState, event: FlotillaEvent): ViewState {
  if (event.seq <= state.lastSeq) return state;
  const next = apply(state, event);
  return next.lastSeq === event.seq ? next : { ...next, lastSeq: event.seq };
}

/** Applies a batch of events in order. */
export function reduceAll(state: ViewState, events: readonly FlotillaEvent[]): ViewState {
  let s = state;
  for (const e of events) s = reduce(s, e);
  return s;
}

function apply(state: ViewState, event: FlotillaEvent): ViewState {
  const p = event.payload;
  const at = event.at;
  switch (p.type) {
    case "project.added": {
      const name = state.projects[p.projectId]?.name ?? baseName(p.path);
      const project: Project = { id: p.projectId, name, path: p.path, createdAt: at };
      return { ...state, projects: { ...state.projects, [p.projectId]: project } };
    }
    case "project.removed": {
      const { [p.projectId]: _gone, ...projects } = state.projects;
      const { selectedProjectId, ...rest } = state;
      return selectedProjectId === p.projectId ? { ...rest, projects } : { ...state, projects };
    }
    case "task.created": {
      if (state.tasks[p.taskId]) return state;
      const task: TaskView = {
        id: p.taskId,
        projectId: p.projectId,
        title: p.title,
        state: { status: "queued" },
        attempts: 0,
        since: at,
      };
      return withDerived({
        ...state,
        tasks: { ...state.tasks, [p.taskId]: task },
        taskOrder: [...state.taskOrder, p.taskId],
      });
    }
    case "task.status-changed":
      return withDerived(
        patchTask(state, p.taskId, (t) => {
          const { waitingFor: _cleared, ...rest } = t;
          return { ...rest, state: p.to, since: at };
        }),
      );
    case "task.waiting":
      // Only a queued task waits (as in a snapshot): a late note about a started task is moot.
      return patchTask(state, p.taskId, (t) => (t.state.status === "queued" ? { ...t, waitingFor: p.reason } : t));
    case "task.committed":
      return patchTask(state, p.taskId, (t) => ({ ...t, headCommit: p.commit }));
    case "run.started": {
      const coder = state.tasks[p.taskId]?.state.status !== "reviewing";
      const withRun: ViewState = {
        ...state,
        runs: {
          ...state.runs,
          [p.runId]: { id: p.runId, taskId: p.taskId, agent: p.agent, attempt: p.attempt, status: "running" },
        },
        runsByTask: {
          ...state.runsByTask,
          [p.taskId]: [...(state.runsByTask[p.taskId] ?? []).filter((r) => r !== p.runId), p.runId],
        },
      };
      return coder ? patchTask(withRun, p.taskId, (t) => ({ ...t, attempts: p.attempt, agent: p.agent })) : withRun;
    }
    case "run.finished":
      return patchRun(state, p.runId, (r) => ({
        ...r,
        status: p.status,
        ...(p.exitCode !== null ? { exitCode: p.exitCode } : {}),
        ...(p.reason !== undefined ? { reason: p.reason } : {}),
      }));
    case "run.interrupted":
      return patchRun(state, p.runId, (r) => ({ ...r, status: "interrupted", reason: p.reason }));
    case "run.output":
      return appendOutput(state, p.taskId, p.lines);
    case "run.agent-event":
      return appendOutput(state, p.taskId, linesOf(p.event));
    case "merge.batch-tested": {
      const batch = {
        projectId: p.projectId,
        target: p.target,
        taskIds: p.taskIds,
        candidate: p.candidate,
        status: p.status,
        at,
      };
      const lastBatches = [...state.mergeQueue.lastBatches, batch].slice(-BATCH_HISTORY);
      return { ...state, mergeQueue: { ...state.mergeQueue, lastBatches } };
    }
    case "plan.started": {
      let next = state;
      for (const taskId of p.taskIds) next = patchTask(next, taskId, (t) => ({ ...t, planId: p.planId }));
      return next;
    }
    case "task.merged":
    case "worktree.created":
    case "worktree.removed":
    case "verify.started":
    case "verify.finished":
    case "merge.started":
    case "merge.conflicted":
    case "merge.blocked":
    case "review.finished":
    case "task.feedback-sent":
    case "plan.finished":
    case "resume.finished":
    case "watchdog.nudged":
    case "watchdog.restarted":
    case "watchdog.escalated":
    case "watchdog.turn-checked":
    case "budget.exceeded":
    case "task.tool-allowed":
      // Their effect on a task arrives as its own task.status-changed event.
      return state;
  }
}

function patchTask(state: ViewState, taskId: string, fn: (t: TaskView) => TaskView): ViewState {
  const t = state.tasks[taskId];
  return t ? { ...state, tasks: { ...state.tasks, [taskId]: fn(t) } } : state;
}

function patchRun(state: ViewState, runId: string, fn: (r: ViewState["runs"][string]) => ViewState["runs"][string]) {
  const r = state.runs[runId];
  return r ? { ...state, runs: { ...state.runs, [runId]: fn(r) } } : state;
}

function appendOutput(state: ViewState, taskId: string, lines: readonly string[]): ViewState {
  if (lines.length === 0) return state;
  const prev = state.output[taskId] ?? [];
  const all = prev.length + lines.length;
  const next =
    all <= OUTPUT_LINES_PER_TASK ? [...prev, ...lines] : [...prev, ...lines].slice(all - OUTPUT_LINES_PER_TASK);
  return { ...state, output: { ...state.output, [taskId]: next } };
}

/** The lines an agent event adds to its task's output pane. */
export function linesOf(e: AgentEvent): string[] {
  switch (e.type) {
    case "message":
      return e.text.split("\n");
    case "tool_call":
      return [`▸ ${e.name}`];
    case "tool_result":
      return e.isError
        ? [`✗ ${e.name ?? "tool"} failed${e.exitCode !== undefined ? ` (exit ${e.exitCode})` : ""}`]
        : [];
    case "file_change":
      return [`${e.kind} ${e.path}`];
    case "question":
      return [`? ${e.question}`];
    case "permission_request":
      return [`? permission: ${e.tool}`];
    case "failed":
      return [`✗ ${e.reason}`];
    case "review":
      return [`review: ${e.verdict}`, ...e.comments.map((c) => `  - ${c}`)];
    case "session":
    case "usage":
    case "done":
      return [];
  }
}

function baseName(path: string): string {
  const parts = path.split("/").filter((s) => s !== "");
  return parts[parts.length - 1] ?? path;
}
