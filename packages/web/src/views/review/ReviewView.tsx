import { useCallback, useEffect, useMemo, useState } from "react";
import { isClientError, type TaskDiff } from "@flotilla/client";
import { links } from "../../router.js";
import { useClient, useView } from "../../state/flotilla.js";
import { messageOf } from "../../state/live-store.js";
import { useOnChange, useRemote } from "../../state/use-remote.js";
import { ErrorState, Loading } from "../../ui/states.js";
import { StatusBadge } from "../../ui/StatusBadge.js";
import { DiffFileView, fileDomId, type CommentHandlers } from "./DiffFileView.js";
import { anchorKey, anchorsOf, shortHash, totals, type LineAnchor } from "./diff-model.js";
import {
  addComment,
  cannotSend,
  clearDraft,
  editComment,
  emptyDraft,
  loadDraft,
  loadMode,
  markRefused,
  offDiff,
  otherHeadDrafts,
  removeComment,
  saveDraft,
  saveMode,
  sortedComments,
  toRequest,
  type DiffMode,
  type KeyValueStore,
  type ReviewDraft,
} from "./drafts.js";
import { ExportButton } from "./ExportButton.js";
import { FileList } from "./FileList.js";
import { PendingComments } from "./PendingComments.js";
import "./review.css";

/** localStorage, when the browser lets us have it. */
function browserStorage(): KeyValueStore | undefined {
  try {
    return typeof localStorage !== "undefined" ? localStorage : undefined;
  } catch {
    return undefined;
  }
}

const NARROW = 900;

/**
 * `#/tasks/:id/diff`: a task's diff, side by side or unified, with inline comments sent to its
 * agent as ONE follow-up; Approve hands it to the merge queue; Request changes sends the summary.
 * Drafts are kept per task and head commit in localStorage: a refused send loses nothing.
 */
export function ReviewView({ taskId }: { taskId: string }) {
  const client = useClient();
  const view = useView();
  const task = view?.tasks[taskId];
  const diff = useRemote(() => client.diff(taskId), `diff:${taskId}`);
  // An empty diff (the agent has not committed yet) follows the task's head by itself; a diff
  // being read does not move under the reader (the banner offers the new version instead).
  useOnChange(diff.data?.files.length === 0 ? task?.headCommit : undefined, diff.reload);

  if (diff.error && !diff.data) {
    return (
      <section className="rv">
        <ReviewTitle taskId={taskId} title={task?.title} />
        <ErrorState error={diff.error} onRetry={diff.reload} />
      </section>
    );
  }
  if (!diff.data) {
    return (
      <section className="rv">
        <ReviewTitle taskId={taskId} title={task?.title} />
        <Loading what="loading the diff" />
      </section>
    );
  }
  return <Review key={diff.data.head} taskId={taskId} diff={diff.data} reload={diff.reload} />;
}

function ReviewTitle({ taskId, title }: { taskId: string; title: string | undefined }) {
  return (
    <h1 className="rv-title">
      Review <a href={links.task(taskId)}>{title ?? taskId}</a>
    </h1>
  );
}

type Busy = "send" | "approve" | "changes" | undefined;

function Review({ taskId, diff, reload }: { taskId: string; diff: TaskDiff; reload: () => void }) {
  const client = useClient();
  const view = useView();
  const task = view?.tasks[taskId];
  const storage = useMemo(browserStorage, []);
  const head = diff.head;

  const [mode, setMode] = useState<DiffMode>(() =>
    loadMode(storage, typeof window !== "undefined" && window.innerWidth < NARROW),
  );
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [draft, setDraft] = useState<ReviewDraft>(() => loadDraft(storage, taskId, head));
  const [composing, setComposing] = useState<LineAnchor | undefined>();
  const [busy, setBusy] = useState<Busy>();
  const [notice, setNotice] = useState<{ tone: "ok" | "error"; text: string } | undefined>();
  const [earlier, setEarlier] = useState(() => otherHeadDrafts(storage, taskId, head));

  // Every change to the draft is on disk at once: a reload or a refused send loses nothing.
  useEffect(() => saveDraft(storage, taskId, head, draft), [storage, taskId, head, draft]);

  const anchors = useMemo(() => anchorsOf(diff), [diff]);
  const off = useMemo(() => offDiff(draft, anchors), [draft, anchors]);
  const sum = totals(diff);
  // The head the view state knew when this diff was loaded: only a commit after it is "newer"
  // (a rebase may leave the two apart without the agent doing anything).
  const [headAtLoad] = useState(task?.headCommit);
  // A refusal names the task's current head: the agent may have committed by itself.
  const [refusedAt, setRefusedAt] = useState<string | undefined>();
  const current = refusedAt ?? task?.headCommit;
  const newerHead =
    current !== undefined &&
    (refusedAt !== undefined || current !== headAtLoad) &&
    !current.startsWith(head) &&
    !head.startsWith(current)
      ? current
      : undefined;

  const chooseMode = (m: DiffMode) => {
    setMode(m);
    saveMode(storage, m);
  };
  const toggle = (path: string) =>
    setCollapsed((s) => {
      const next = new Set(s);
      if (next.has(path)) next.delete(path);
      else next.add(path);
      return next;
    });

  const handlers: CommentHandlers = useMemo(
    () => ({
      onStart: (anchor) => setComposing(anchor),
      onAdd: (anchor, body) => {
        setDraft((d) => addComment(d, anchor, body));
        setComposing(undefined);
        setNotice(undefined);
        // Back to the line, for the keyboard.
        requestAnimationFrame(() =>
          document.querySelector<HTMLElement>(`[data-anchor="${CSS.escape(anchorKey(anchor))}"]`)?.focus(),
        );
      },
      onCancel: () => setComposing(undefined),
      onEdit: (id, body) => setDraft((d) => editComment(d, id, body)),
      onRemove: (id) => setDraft((d) => removeComment(d, id)),
    }),
    [],
  );

  const carryOver = (from: string) => {
    const found = earlier.find((e) => e.head === from);
    if (!found) return;
    setDraft((d) => ({
      comments: [...d.comments, ...found.draft.comments],
      summary: d.summary.trim() !== "" ? d.summary : found.draft.summary,
    }));
    clearDraft(storage, taskId, from);
    setEarlier((list) => list.filter((e) => e.head !== from));
  };
  const discardEarlier = (from: string) => {
    clearDraft(storage, taskId, from);
    setEarlier((list) => list.filter((e) => e.head !== from));
  };
  /** Loads the newer head; the comments written here come along (flagged when their line is gone). */
  const loadNewer = () => {
    if (newerHead !== undefined && (draft.comments.length > 0 || draft.summary.trim() !== "")) {
      const target = loadDraft(storage, taskId, newerHead);
      saveDraft(storage, taskId, newerHead, {
        comments: [...target.comments, ...draft.comments],
        summary: target.summary.trim() !== "" ? target.summary : draft.summary,
      });
      clearDraft(storage, taskId, head);
    }
    reload();
  };

  const send = useCallback(async () => {
    const why = cannotSend(draft);
    if (why) {
      setNotice({ tone: "error", text: why });
      return;
    }
    setBusy("send");
    setNotice(undefined);
    const request = toRequest(head, draft);
    try {
      await client.reviewComments(taskId, request);
      clearDraft(storage, taskId, head);
      setDraft(emptyDraft());
      setNotice({
        tone: "ok",
        text: `Sent ${request.comments.length} comment${request.comments.length === 1 ? "" : "s"} to the agent as one follow-up.`,
      });
    } catch (err) {
      const refusal = isClientError(err)
        ? { status: err.status, code: err.code, message: err.message, data: err.data }
        : { message: messageOf(err) };
      const { draft: marked, named } = markRefused(draft, refusal);
      setDraft(marked);
      const now = isClientError(err) ? err.data.head : undefined;
      if (typeof now === "string" && now !== "" && !now.startsWith(head)) setRefusedAt(now);
      setNotice({
        tone: "error",
        text:
          named > 0
            ? `Not sent: ${named} comment${named === 1 ? " is" : "s are"} on lines that changed. Your comments are kept: fix or remove the marked ones and send again.`
            : `Not sent (your comments are kept): ${refusal.message}`,
      });
    } finally {
      setBusy(undefined);
    }
  }, [client, draft, head, storage, taskId]);

  const approve = async () => {
    setBusy("approve");
    setNotice(undefined);
    try {
      await client.mergeTask(taskId);
      setNotice({ tone: "ok", text: "Approved: the task is in the merge queue." });
    } catch (err) {
      setNotice({ tone: "error", text: `Could not approve: ${messageOf(err)}` });
    } finally {
      setBusy(undefined);
    }
  };

  const requestChanges = async () => {
    const text = draft.summary.trim();
    if (text === "") {
      setNotice({ tone: "error", text: "Say what to change in the summary first." });
      return;
    }
    setBusy("changes");
    setNotice(undefined);
    try {
      await client.followUp(taskId, text);
      setDraft((d) => ({ ...d, summary: "" }));
      setNotice({ tone: "ok", text: "Sent the requested changes to the agent." });
    } catch (err) {
      setNotice({ tone: "error", text: `Not sent (your text is kept): ${messageOf(err)}` });
    } finally {
      setBusy(undefined);
    }
  };

  const status = task?.state.status;
  const canApprove = status === undefined || status === "awaiting_merge" || status === "conflicted";
  const pending = sortedComments(draft.comments);
  const commentsByFile = (path: string) => draft.comments.filter((c) => c.path === path);
  const scrollTo = (id: string) => document.getElementById(id)?.scrollIntoView({ block: "start" });

  return (
    <section className="rv" aria-label="diff review">
      <header className="rv-head">
        <div className="rv-head-main">
          <ReviewTitle taskId={taskId} title={task?.title} />
          <p className="rv-meta">
            {task && <StatusBadge status={task.state.status} />}{" "}
            <code title={`${diff.base}..${diff.head}`}>
              {shortHash(diff.base)}..{shortHash(diff.head)}
            </code>{" "}
            · {sum.files} file{sum.files === 1 ? "" : "s"} <span className="rv-plus">+{sum.additions}</span>{" "}
            <span className="rv-minus">−{sum.deletions}</span>
          </p>
        </div>
        <div className="rv-toolbar">
          <div className="rv-segmented" role="group" aria-label="diff layout">
            <button type="button" aria-pressed={mode === "split"} onClick={() => chooseMode("split")}>
              Side by side
            </button>
            <button type="button" aria-pressed={mode === "unified"} onClick={() => chooseMode("unified")}>
              Unified
            </button>
          </div>
          <button type="button" onClick={reload} title="load the diff again">
            Refresh
          </button>
          <a className="button" href={links.terminal(taskId)}>
            Terminal
          </a>
          <ExportButton taskId={taskId} />
          <button type="button" onClick={() => scrollTo("rv-review-panel")}>
            Review ({pending.length})
          </button>
        </div>
      </header>

      {newerHead !== undefined && (
        <div className="rv-banner" role="status">
          The agent has moved the task on to <code>{shortHash(newerHead)}</code> since this diff was loaded.{" "}
          <button type="button" onClick={loadNewer}>
            Load the new version
          </button>{" "}
          (your pending comments come along)
        </div>
      )}
      {earlier.map((e) => (
        <div className="rv-banner" role="status" key={e.head}>
          You have {e.draft.comments.length} unsent comment{e.draft.comments.length === 1 ? "" : "s"} written on an
          earlier version (<code>{shortHash(e.head)}</code>).{" "}
          <button type="button" onClick={() => carryOver(e.head)}>
            Bring them here
          </button>{" "}
          <button type="button" onClick={() => discardEarlier(e.head)}>
            Discard them
          </button>
        </div>
      ))}
      {diff.truncated && (
        <div className="rv-banner rv-warn" role="status">
          This diff was cut at the size limit: some files or lines are not shown. Export the task for the whole patch.
        </div>
      )}

      {diff.files.length === 0 ? (
        <p className="rv-note">This task has not changed any file yet.</p>
      ) : (
        <>
          <FileList
            files={diff.files}
            commentCount={(path) => commentsByFile(path).length}
            onOpen={(path) => {
              if (collapsed.has(path)) toggle(path);
              scrollTo(fileDomId(path));
            }}
            onCollapseAll={(all) => setCollapsed(all ? new Set(diff.files.map((f) => f.path)) : new Set())}
          />
          <p className="rv-hint">
            Click a line (or focus it and press <kbd>c</kbd>) to comment; <kbd>j</kbd>/<kbd>k</kbd> move between lines.
          </p>
          {diff.files.map((f) => (
            <DiffFileView
              key={f.path}
              file={f}
              mode={mode}
              collapsed={collapsed.has(f.path)}
              onToggle={() => toggle(f.path)}
              comments={commentsByFile(f.path)}
              composing={composing?.path === f.path ? composing : undefined}
              handlers={handlers}
            />
          ))}
        </>
      )}

      <section className="rv-panel" id="rv-review-panel" aria-label="your review">
        <h2>Your review</h2>
        <PendingComments diff={diff} pending={pending} off={off} handlers={handlers} />
        <label className="rv-summary-label" htmlFor="rv-summary">
          Summary <span className="rv-hint">(said before the comments; on its own for “Request changes”)</span>
        </label>
        <textarea
          id="rv-summary"
          className="rv-textarea"
          rows={3}
          value={draft.summary}
          onChange={(e) => setDraft((d) => ({ ...d, summary: e.target.value }))}
        />
        <div className="rv-actions">
          <button
            type="button"
            className="primary"
            disabled={busy !== undefined || pending.length === 0}
            onClick={() => void send()}
          >
            {busy === "send" ? "Sending…" : `Send comments (${pending.length})`}
          </button>
          <button type="button" disabled={busy !== undefined} onClick={() => void requestChanges()}>
            {busy === "changes" ? "Sending…" : "Request changes"}
          </button>
          <button
            type="button"
            disabled={busy !== undefined || !canApprove}
            title={
              canApprove ? "hand the task to the merge queue" : `the task is ${status ?? "unknown"}, not awaiting merge`
            }
            onClick={() => void approve()}
          >
            {busy === "approve" ? "Approving…" : "Approve"}
          </button>
        </div>
        {notice && (
          <p className={`rv-notice rv-notice-${notice.tone}`} role={notice.tone === "error" ? "alert" : "status"}>
            {notice.text}
          </p>
        )}
      </section>
    </section>
  );
}
