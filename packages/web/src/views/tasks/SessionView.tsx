import { useEffect, useRef } from "react";
import type { TaskView, ViewState } from "@flotilla/client";
import { links } from "../../router.js";
import { useLiveView } from "../../state/flotilla.js";
import { useInbox } from "../../state/inbox.js";
import { useTranscript } from "../../state/use-transcript.js";
import { navigate } from "../../shell/use-hash.js";
import { shortId } from "../../ui/format.js";
import { Empty, ErrorState, Loading } from "../../ui/states.js";
import { detailOf } from "../../ui/status.js";
import { StatusBadge } from "../../ui/StatusBadge.js";
import { useShortcuts } from "../../ui/use-keys.js";
import { InboxItemCard } from "../inbox/InboxItemCard.js";
import { PromptBox } from "./PromptBox.js";
import { TaskActions } from "./TaskActions.js";
import { followUpBlocked } from "./task-actions.js";
import { TranscriptView } from "./Transcript.js";

const WORKING = new Set(["preparing", "running", "verifying", "reviewing"]);

/** One task's session: the chat with its agent (live), a prompt box, its actions and details. */
export function SessionView({ taskId }: { taskId: string }) {
  const view = useLiveView();
  const task = view.tasks[taskId];
  if (!task) {
    return (
      <ErrorState
        error={`There is no task ${taskId}.`}
        onRetry={() => navigate(links.tasks)}
        retryLabel="all sessions"
      />
    );
  }
  return <Session view={view} task={task} />;
}

function Session({ view, task }: { view: ViewState; task: TaskView }) {
  const { transcript, error, reload } = useTranscript(task.id);
  const inbox = useInbox();
  const promptRef = useRef<HTMLTextAreaElement>(null);
  const endRef = useRef<HTMLDivElement>(null);
  const entries = transcript?.entries.length ?? 0;
  const status = task.state.status;
  const detail = detailOf(task.state);
  const items = (inbox.data ?? []).filter((i) => i.taskId === task.id);

  useShortcuts([
    { keys: "d", action: () => navigate(links.diff(task.id)) },
    { keys: "t", action: () => navigate(links.terminal(task.id)) },
    { keys: "r", action: () => promptRef.current?.focus() },
  ]);

  // Follow the conversation while the reader is at its end.
  const atEnd = useRef(true);
  useEffect(() => {
    const onScroll = () => {
      atEnd.current = window.innerHeight + window.scrollY >= document.body.scrollHeight - 120;
    };
    window.addEventListener("scroll", onScroll, { passive: true });
    return () => window.removeEventListener("scroll", onScroll);
  }, []);
  useEffect(() => {
    if (atEnd.current && entries > 0) endRef.current?.scrollIntoView({ block: "end" });
  }, [entries]);

  const output = view.output[task.id] ?? [];
  const project = view.projects[task.projectId];
  return (
    <>
      <div className="page-head">
        <h1>{task.title}</h1>
        <StatusBadge status={status} />
      </div>
      {detail !== undefined && <p className="reason">{detail}</p>}
      <div className="toolbar" style={{ marginBottom: 12 }}>
        <TaskActions task={task} />
        <span style={{ flex: 1 }} />
        <a href={links.diff(task.id)} title="diff (d)">
          Diff
        </a>
        <a href={links.terminal(task.id)} title="terminal (t)">
          Terminal
        </a>
        <a href={links.exportZip(task.id)} download>
          Export
        </a>
      </div>
      <div className="session">
        <section>
          {items.length > 0 && (
            <div className="panel">
              {items.map((i) => (
                <InboxItemCard key={i.id} item={i} showTask={false} onDone={inbox.reload} />
              ))}
            </div>
          )}
          {error ? (
            <ErrorState error={`transcript: ${error}`} onRetry={reload} />
          ) : !transcript ? (
            <Loading what="loading the conversation" />
          ) : transcript.entries.length === 0 && !WORKING.has(status) ? (
            <Empty>No conversation yet{status === "queued" ? ": the task has not started" : ""}.</Empty>
          ) : (
            <TranscriptView entries={transcript.entries} working={WORKING.has(status)} />
          )}
          {output.length > 0 && (
            <details className="panel" style={{ marginTop: 12 }}>
              <summary>raw output (last {output.length} lines)</summary>
              <pre className="live-output">{output.join("\n")}</pre>
            </details>
          )}
          <div ref={endRef} />
          <PromptBox taskId={task.id} blocked={followUpBlocked(status)} inputRef={promptRef} />
        </section>
        <aside className="panel">
          <h2>Details</h2>
          <dl className="kv">
            <dt>id</dt>
            <dd className="mono" title={task.id}>
              {shortId(task.id)}
            </dd>
            <dt>project</dt>
            <dd>{project?.name ?? task.projectId}</dd>
            {task.agent && (
              <>
                <dt>agent</dt>
                <dd>{task.agent}</dd>
              </>
            )}
            <dt>attempts</dt>
            <dd>{task.attempts}</dd>
            {task.planId && (
              <>
                <dt>plan</dt>
                <dd className="mono">{shortId(task.planId)}</dd>
              </>
            )}
            {task.headCommit && (
              <>
                <dt>head</dt>
                <dd className="mono">{task.headCommit.slice(0, 10)}</dd>
              </>
            )}
            {task.waitingFor && (
              <>
                <dt>waiting for</dt>
                <dd>{task.waitingFor}</dd>
              </>
            )}
          </dl>
          <h3 style={{ marginTop: 12 }}>Runs</h3>
          <RunList view={view} taskId={task.id} />
        </aside>
      </div>
    </>
  );
}

function RunList({ view, taskId }: { view: ViewState; taskId: string }) {
  const ids = view.runsByTask[taskId] ?? [];
  if (ids.length === 0) return <p className="muted">No runs yet.</p>;
  return (
    <ul className="rows">
      {ids.map((id) => {
        const r = view.runs[id];
        if (!r) return null;
        return (
          <li key={id}>
            #{r.attempt} {r.agent} <span className="muted">{r.status}</span>
            {r.reason && <div className="reason">{r.reason}</div>}
          </li>
        );
      })}
    </ul>
  );
}
