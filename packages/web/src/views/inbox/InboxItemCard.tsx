import { useState } from "react";
import type { InboxItem } from "@flotilla/client";
import { links } from "../../router.js";
import { useClient } from "../../state/flotilla.js";
import { messageOf } from "../../state/live-store.js";
import { formatAgo, formatInput } from "../../ui/format.js";
import { KIND_LABELS, summarizePermission } from "./inbox.js";

/**
 * One needs-you item with its actions: a question answered in a text box; a permission approved
 * (once, or for the rest of the task) or denied; a conflict, failure or blocked merge approved or
 * denied. The item leaves the inbox by itself once the task moves.
 */
export function InboxItemCard({
  item,
  showTask = true,
  onDone,
}: {
  item: InboxItem;
  showTask?: boolean;
  onDone?: () => void;
}) {
  const client = useClient();
  const [answer, setAnswer] = useState("");
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const can = (a: InboxItem["actions"][number]) => item.actions.includes(a);

  async function act(fn: () => Promise<unknown>): Promise<void> {
    setBusy(true);
    setError(undefined);
    try {
      await fn();
      onDone?.();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  const perm = item.kind === "permission" ? summarizePermission(item) : undefined;
  const input = formatInput(item.input);
  return (
    <article className={`inbox-item kind-${item.kind}`} data-inbox-item={item.id}>
      <div className="msg-head">
        <span className="badge tone-attention">{KIND_LABELS[item.kind]}</span>{" "}
        {showTask && <a href={links.task(item.taskId)}>{item.title}</a>}{" "}
        <span className="muted">{formatAgo(item.since, Date.now())}</span>
      </div>
      {perm ? (
        <p>
          The agent asks to use <strong className="mono">{perm.tool}</strong>
          {perm.path !== undefined && (
            <>
              {" "}
              on <code>{perm.path}</code>
            </>
          )}
          {perm.command !== undefined && (
            <>
              : <code>{perm.command}</code>
            </>
          )}
        </p>
      ) : (
        <p style={{ whiteSpace: "pre-wrap" }}>{item.text}</p>
      )}
      {item.files && item.files.length > 0 && (
        <ul className="files">
          {item.files.map((f) => (
            <li key={f}>{f}</li>
          ))}
        </ul>
      )}
      {perm && input && (
        <details>
          <summary>arguments</summary>
          <pre className="input">{input}</pre>
        </details>
      )}
      {can("answer") && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const text = answer.trim();
            if (text) void act(() => client.answer(item.id, { text }));
          }}
        >
          <textarea
            aria-label="your answer"
            placeholder="Your answer to the agent"
            rows={2}
            value={answer}
            onChange={(e) => setAnswer(e.target.value)}
          />
          <div className="toolbar">
            <button type="submit" className="primary" disabled={busy || answer.trim() === ""}>
              Answer
            </button>
          </div>
        </form>
      )}
      {(can("approve") || can("deny")) && (
        <div className="toolbar" style={{ marginTop: 6 }}>
          {can("approve") && (
            <button
              type="button"
              className="primary"
              disabled={busy}
              onClick={() => void act(() => client.approve(item.id))}
            >
              {item.kind === "permission" ? "Allow once" : "Approve"}
            </button>
          )}
          {can("approve") && item.kind === "permission" && (
            <button
              type="button"
              disabled={busy}
              onClick={() => void act(() => client.approve(item.id, { always: true }))}
            >
              Always allow for this task
            </button>
          )}
          {can("deny") && (
            <>
              <input
                aria-label="reason to deny"
                placeholder="reason (optional)"
                value={reason}
                onChange={(e) => setReason(e.target.value)}
              />
              <button
                type="button"
                className="danger"
                disabled={busy}
                onClick={() => void act(() => client.deny(item.id, reason.trim() ? { reason: reason.trim() } : {}))}
              >
                Deny
              </button>
            </>
          )}
        </div>
      )}
      {error && (
        <div className="tone-failed" role="alert">
          {error}
        </div>
      )}
    </article>
  );
}
