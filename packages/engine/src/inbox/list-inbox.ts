import type { FlotillaEvent, Task } from "@flotilla/protocol";
import type { PipelineDeps } from "../run/pipeline-deps.js";

export type InboxKind = "question" | "permission" | "conflict" | "failure" | "approval";
export type InboxAction = "answer" | "approve" | "deny";

/** One thing waiting for a person. Derived from the store every time; nothing is kept on the side. */
export interface InboxItem {
  /** `ibx_<task>_<seq>`: the task and the event that put it in its current state. */
  id: string;
  kind: InboxKind;
  taskId: string;
  projectId: string;
  title: string;
  /** When the task came to this state. */
  since: string;
  /** The status event that put the task here: a new question gets a new id. */
  seq: number;
  /** What the person is asked: the question, the permission, the failure or the blocker. */
  text: string;
  /** For a permission request: the tool and its input. */
  tool?: string;
  input?: unknown;
  runId?: string;
  files?: string[];
  actions: InboxAction[];
}

export function inboxId(taskId: string, seq: number): string {
  return `ibx_${taskId}_${seq}`;
}

/**
 * The needs-you inbox, across every project and run: tasks that need input (a question or a
 * permission request, with the run's event), conflicts left for a person, failures, and tasks
 * awaiting merge with a reason: held for approval (run with --no-merge / autoMerge: false) or
 * blocked (e.g. a dirty checkout). Oldest first.
 */
export function listInbox(deps: Pick<PipelineDeps, "store" | "configFor">): InboxItem[] {
  const statuses = ["needs_input", "conflicted", "failed", "awaiting_merge"];
  const items = deps.store.read.tasks
    .list({ statuses })
    .map((task) => itemFor(deps, task))
    .filter((i): i is InboxItem => i !== undefined);
  return items.sort((a, b) => a.seq - b.seq);
}

function itemFor(deps: Pick<PipelineDeps, "store" | "configFor">, task: Task): InboxItem | undefined {
  const entered = lastStatusEvent(deps, task.id);
  const seq = entered?.seq ?? 0;
  const base = {
    id: inboxId(task.id, seq),
    taskId: task.id,
    projectId: task.projectId,
    title: task.title,
    since: entered?.at ?? task.updatedAt,
    seq,
  };
  const s = task.state;
  switch (s.status) {
    case "needs_input": {
      const runOf = s.runId ?? deps.store.read.runs.latestForTask(task.id)?.id;
      const asked = lastAsk(deps, task.id, runOf);
      if (asked?.type === "permission_request") {
        return {
          ...base,
          kind: "permission",
          text: s.question,
          tool: asked.tool,
          input: asked.input,
          ...(asked.runId !== undefined ? { runId: asked.runId } : {}),
          actions: ["approve", "deny", "answer"],
        };
      }
      const runId = asked?.runId ?? s.runId;
      return {
        ...base,
        kind: "question",
        text: asked?.question ?? s.question,
        ...(runId !== undefined ? { runId } : {}),
        actions: ["answer", "approve", "deny"],
      };
    }
    case "conflicted": {
      if (agentWillResolve(deps, task)) return undefined;
      const text = s.detail ?? `${task.branch} conflicts with ${task.targetBranch} in: ${s.files.join(", ")}`;
      return { ...base, kind: "conflict", text, files: s.files, actions: ["answer", "approve", "deny"] };
    }
    case "failed":
      return { ...base, kind: "failure", text: s.reason, actions: ["approve", "deny"] };
    case "awaiting_merge":
      if (s.reason === undefined) return undefined;
      return { ...base, kind: "approval", text: s.reason, actions: ["approve", "deny"] };
    default:
      return undefined;
  }
}

function lastStatusEvent(deps: Pick<PipelineDeps, "store">, taskId: string): FlotillaEvent | undefined {
  return deps.store.read.events.since(0, { taskId, types: ["task.status-changed"], limit: 1_000_000 }).at(-1);
}

type Ask =
  | { type: "question"; question: string; runId?: string }
  | { type: "permission_request"; tool: string; input?: unknown; runId?: string };

/** The run's last question or permission request event (the state's run, else the task's latest). */
function lastAsk(deps: Pick<PipelineDeps, "store">, taskId: string, runId: string | undefined): Ask | undefined {
  const events = deps.store.read.events.since(0, { taskId, types: ["run.agent-event"], limit: 1_000_000 });
  for (let i = events.length - 1; i >= 0; i--) {
    const p = events[i]?.payload;
    if (p?.type !== "run.agent-event" || (runId !== undefined && p.runId !== runId)) continue;
    const e = p.event;
    if (e.type === "question") return { type: "question", question: e.question, runId: p.runId };
    if (e.type === "permission_request") {
      return { type: "permission_request", tool: e.tool, input: e.input, runId: p.runId };
    }
  }
  return undefined;
}

/** A conflict the task's own agent will be asked to resolve is not (yet) a person's business. */
function agentWillResolve(deps: Pick<PipelineDeps, "store" | "configFor">, task: Task): boolean {
  const project = deps.store.read.projects.get(task.projectId);
  if (!project) return false;
  const wf = deps.configFor(project).workflow;
  return wf.onConflict === "agent" && task.rounds.conflict < wf.conflictRounds;
}
