import type { TaskDiff } from "@flotilla/client";
import type { CommentHandlers } from "./DiffFileView.js";
import { anchorKey, formatAnchor, lineTextAt } from "./diff-model.js";
import type { DraftComment } from "./drafts.js";

/** The review's pending comments: where each is, the line it is on, its text (editable), a refusal. */
export function PendingComments({
  diff,
  pending,
  off,
  handlers,
}: {
  diff: TaskDiff;
  pending: readonly DraftComment[];
  /** Ids of comments whose line is not in this diff. */
  off: ReadonlySet<string>;
  handlers: CommentHandlers;
}) {
  return pending.length === 0 ? (
    <p className="rv-note">No pending comments. Click a line of the diff to write one.</p>
  ) : (
    <ol className="rv-pending" aria-label="pending comments">
      {pending.map((c) => {
        const text = lineTextAt(diff, c);
        return (
          <li
            key={c.id}
            className={`rv-pending-item${c.error ? " rv-refused" : ""}`}
            data-comment-id={c.id}
            data-anchor-label={formatAnchor(c)}
          >
            <div className="rv-pending-head">
              <button
                type="button"
                className="link rv-anchor"
                onClick={() =>
                  document
                    .querySelector<HTMLElement>(`[data-anchor="${CSS.escape(anchorKey(c))}"]`)
                    ?.focus({ preventScroll: false })
                }
              >
                {formatAnchor(c)}
              </button>
              {off.has(c.id) && <span className="rv-off">not in this diff</span>}
              <button
                type="button"
                className="link"
                aria-label={`remove the comment on ${formatAnchor(c)}`}
                onClick={() => handlers.onRemove(c.id)}
              >
                remove
              </button>
            </div>
            {text !== undefined && <pre className="rv-pending-line">{text}</pre>}
            <textarea
              className="rv-textarea"
              rows={2}
              value={c.body}
              aria-label={`comment on ${formatAnchor(c)}`}
              onChange={(e) => handlers.onEdit(c.id, e.target.value)}
            />
            {c.error && (
              <p className="rv-comment-error" role="alert">
                {c.error}
              </p>
            )}
          </li>
        );
      })}
    </ol>
  );
}
