import type { FlotillaEvent, TaskStatus } from "@flotilla/protocol";
import type { Transcript, TranscriptEntry } from "./wire-steering.js";

/**
 * THE fold from a task's events to its conversation with its agents. PURE: the server builds a
 * transcript with it, and a UI applies live events with it. An event at or below `lastSeq`, or
 * of another task, changes nothing (so replays and overlapping reconnects are harmless).
 */
export function appendToTranscript(transcript: Transcript, event: FlotillaEvent): Transcript {
  if (event.seq <= transcript.lastSeq) return transcript;
  const p = event.payload;
  const lastSeq = event.seq;
  if (!("taskId" in p) || p.taskId !== transcript.taskId) return { ...transcript, lastSeq };
  const entries = nextEntries(transcript.entries, event);
  return { ...transcript, lastSeq, entries };
}

export function emptyTranscript(taskId: string): Transcript {
  return { taskId, lastSeq: 0, entries: [] };
}

/** The transcript of `taskId` from its events (in seq order). */
export function buildTranscript(taskId: string, events: readonly FlotillaEvent[]): Transcript {
  let t = emptyTranscript(taskId);
  for (const e of events) t = appendToTranscript(t, e);
  return t;
}

/** The event types a transcript is made of (a server reads only these from the log). */
export const TRANSCRIPT_EVENT_TYPES = [
  "run.started",
  "run.agent-event",
  "run.finished",
  "task.status-changed",
  "task.committed",
  "verify.finished",
  "task.feedback-sent",
  "task.tool-allowed",
  "watchdog.nudged",
  "watchdog.restarted",
  "watchdog.escalated",
  "budget.exceeded",
] as const satisfies readonly FlotillaEvent["payload"]["type"][];

function nextEntries(entries: TranscriptEntry[], event: FlotillaEvent): TranscriptEntry[] {
  const { seq, at, payload: p } = event;
  const notice = (topic: string, text: string, runId?: string): TranscriptEntry[] => [
    ...entries,
    { kind: "notice", seq, at, ...(runId !== undefined ? { runId } : {}), topic, text },
  ];
  switch (p.type) {
    case "run.started": {
      const run: TranscriptEntry = {
        kind: "run",
        seq,
        at,
        runId: p.runId,
        agent: p.agent,
        attempt: p.attempt,
        ...(p.role !== undefined ? { role: p.role } : {}),
      };
      const said: TranscriptEntry[] =
        p.prompt !== undefined ? [{ kind: "user", seq, at, runId: p.runId, text: p.prompt }] : [];
      return [...entries, run, ...said];
    }
    case "run.agent-event": {
      const e = p.event;
      const runId = p.runId;
      switch (e.type) {
        case "message":
          return [...entries, { kind: "agent", seq, at, runId, text: e.text }];
        case "tool_call":
          return [
            ...entries,
            {
              kind: "tool",
              seq,
              at,
              runId,
              ...(e.id !== undefined ? { callId: e.id } : {}),
              name: e.name,
              ...(e.input !== undefined ? { input: e.input } : {}),
            },
          ];
        case "tool_result": {
          const i = openCall(entries, runId, e.id, e.name);
          const call = i === -1 ? undefined : entries[i];
          if (call?.kind === "tool") {
            const next = [...entries];
            next[i] = { ...call, output: e.output, isError: e.isError };
            return next;
          }
          // A result without its call (the call came before this transcript began): on its own.
          return [
            ...entries,
            {
              kind: "tool",
              seq,
              at,
              runId,
              ...(e.id !== undefined ? { callId: e.id } : {}),
              name: e.name ?? "tool",
              output: e.output,
              isError: e.isError,
            },
          ];
        }
        case "question":
          return notice("question", e.question, runId);
        case "permission_request":
          return notice(
            "permission",
            `asks to use ${e.tool}${e.input !== undefined ? `: ${brief(e.input)}` : ""}`,
            runId,
          );
        case "review":
          return notice("review", [`review: ${e.verdict}`, ...e.comments.map((c) => `- ${c}`)].join("\n"), runId);
        case "usage":
          return notice(
            "usage",
            `${e.inputTokens} tokens in, ${e.outputTokens} out${e.costUsd !== undefined ? `, $${e.costUsd.toFixed(4)}` : ""}`,
            runId,
          );
        case "failed":
          return notice("failed", e.reason, runId);
        case "done":
          return e.summary !== undefined ? notice("done", e.summary, runId) : entries;
        case "session":
        case "file_change":
          return entries;
      }
      return entries;
    }
    case "run.finished":
      return notice("run", `run ${p.status}${p.reason !== undefined ? `: ${p.reason}` : ""}`, p.runId);
    case "task.status-changed":
      return notice("status", `${p.from} → ${p.to.status}${statusDetail(p.to)}`);
    case "task.committed":
      return notice("commit", `committed ${p.commit.slice(0, 10)} (${p.files.length} file(s))`);
    case "verify.finished":
      return notice(
        "verify",
        `verify ${p.status === "pass" ? "PASS" : "FAIL"} on ${p.commit.slice(0, 10)} (exit ${p.exitCode ?? "signal"})`,
      );
    case "task.feedback-sent":
      return notice("feedback", `${p.kind} feedback sent back to the agent (round ${p.round})`);
    case "task.tool-allowed":
      return notice("permission", `${p.tool} allowed for the rest of this task`);
    case "watchdog.nudged":
      return notice("watchdog", `${p.kind} (${p.detail}): nudged the agent`, p.runId);
    case "watchdog.restarted":
      return notice("watchdog", `${p.kind} (${p.detail}): restarted the session with a summary`, p.runId);
    case "watchdog.escalated":
      return notice(
        "watchdog",
        `${p.kind} (${p.detail}): ${p.action === "fail" ? "gave up, the task fails" : "escalated to a person"}`,
        p.runId,
      );
    case "budget.exceeded":
      return notice("budget", p.reason, p.runId);
    default:
      return entries;
  }
}

/** The open call a result belongs to: by id, else the run's last call of that name without a result. */
function openCall(entries: readonly TranscriptEntry[], runId: string, id?: string, name?: string): number {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (e?.kind !== "tool" || e.runId !== runId || e.output !== undefined) continue;
    if (id !== undefined ? e.callId === id : name === undefined || e.name === name) return i;
  }
  return -1;
}

function statusDetail(s: TaskStatus): string {
  switch (s.status) {
    case "failed":
      return `: ${s.reason}`;
    case "conflicted":
      return `: ${s.files.join(", ")}`;
    case "needs_input":
      return `: ${s.question}`;
    case "awaiting_merge":
      return s.reason !== undefined ? `: ${s.reason}` : "";
    case "interrupted":
      return `: ${s.reason}`;
    case "cancelled":
      return s.reason !== undefined ? `: ${s.reason}` : "";
    case "merged":
      return ` at ${s.commit.slice(0, 10)}`;
    default:
      return "";
  }
}

function brief(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}
