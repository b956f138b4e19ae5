import { useState } from "react";
import type { TaskView } from "@flotilla/client";
import { useClient } from "../../state/flotilla.js";
import { messageOf } from "../../state/live-store.js";
import { ACTION_LABELS, actionsFor, CONFIRM, type TaskAction } from "./task-actions.js";

/** The buttons for what the task's status allows; the result shows up in the view by itself. */
export function TaskActions({ task }: { task: TaskView }) {
  const client = useClient();
  const [busy, setBusy] = useState<TaskAction | undefined>(undefined);
  const [note, setNote] = useState<{ text: string; error: boolean } | undefined>(undefined);

  async function run(action: TaskAction): Promise<void> {
    const ask = CONFIRM[action];
    if (ask && !window.confirm(ask)) return;
    setBusy(action);
    setNote(undefined);
    try {
      switch (action) {
        case "abort":
          await client.abortTask(task.id);
          break;
        case "retry":
          await client.retryTask(task.id);
          break;
        case "merge":
          await client.mergeTask(task.id);
          break;
        case "clean": {
          const r = await client.cleanTask(task.id);
          setNote({
            text: r.removed ? "worktree removed" : `worktree kept${r.reason ? `: ${r.reason}` : ""}`,
            error: !r.removed,
          });
          break;
        }
      }
    } catch (err) {
      setNote({ text: `${ACTION_LABELS[action]}: ${messageOf(err)}`, error: true });
    } finally {
      setBusy(undefined);
    }
  }

  const actions = actionsFor(task.state.status);
  return (
    <div className="toolbar">
      {actions.map((a) => (
        <button
          key={a}
          type="button"
          className={a === "merge" ? "primary" : a === "abort" ? "danger" : undefined}
          disabled={busy !== undefined}
          onClick={() => void run(a)}
        >
          {busy === a ? `${ACTION_LABELS[a]}…` : ACTION_LABELS[a]}
        </button>
      ))}
      {note && (
        <span className={note.error ? "tone-failed" : "muted"} role="status">
          {note.text}
        </span>
      )}
    </div>
  );
}
