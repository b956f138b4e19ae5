import { useState, type KeyboardEvent, type ReactNode } from "react";
import type { DiffFile } from "@flotilla/client";
import {
  anchorKey,
  fileLabel,
  formatCounts,
  sameAnchor,
  splitRows,
  unifiedRows,
  type LineAnchor,
  type LineCell,
} from "./diff-model.js";
import type { DiffMode, DraftComment } from "./drafts.js";

export interface CommentHandlers {
  /** Opens the composer on a line. */
  onStart: (anchor: LineAnchor) => void;
  onAdd: (anchor: LineAnchor, body: string) => void;
  onCancel: () => void;
  onEdit: (id: string, body: string) => void;
  onRemove: (id: string) => void;
}

export interface DiffFileViewProps {
  file: DiffFile;
  mode: DiffMode;
  collapsed: boolean;
  onToggle: () => void;
  /** The pending comments on this file. */
  comments: readonly DraftComment[];
  /** Where the composer is open, if on this file. */
  composing: LineAnchor | undefined;
  handlers: CommentHandlers;
}

/** The DOM id of a file's section (the file list scrolls to it). */
export const fileDomId = (path: string): string => `rv-file-${encodeURIComponent(path)}`;

/** One file of the diff: a header (collapsible), then its hunks as a unified or side-by-side table. */
export function DiffFileView({ file, mode, collapsed, onToggle, comments, composing, handlers }: DiffFileViewProps) {
  const label = fileLabel(file);
  return (
    <section className="rv-file" id={fileDomId(file.path)} data-path={file.path}>
      <header className="rv-file-head">
        <button
          type="button"
          className="rv-collapse"
          aria-expanded={!collapsed}
          aria-label={`${collapsed ? "expand" : "collapse"} ${label}`}
          onClick={onToggle}
        >
          {collapsed ? "▸" : "▾"}
        </button>
        <span className={`rv-status rv-status-${file.status}`}>{file.status}</span>
        <span className="rv-path" title={label}>
          {label}
        </span>
        <span className="rv-counts">
          <span className="rv-plus">+{file.additions}</span> <span className="rv-minus">−{file.deletions}</span>
        </span>
        {comments.length > 0 && (
          <span className="rv-comment-count" title="pending comments on this file">
            {comments.length} comment{comments.length === 1 ? "" : "s"}
          </span>
        )}
      </header>
      {!collapsed && <FileBody file={file} mode={mode} comments={comments} composing={composing} handlers={handlers} />}
    </section>
  );
}

function FileBody({
  file,
  mode,
  comments,
  composing,
  handlers,
}: Pick<DiffFileViewProps, "file" | "mode" | "comments" | "composing" | "handlers">) {
  if (file.binary) return <p className="rv-note">Binary file ({formatCounts(file)}): not shown.</p>;
  if (file.hunks.length === 0) return <p className="rv-note">No changed lines (a rename or a mode change).</p>;

  const extras = (anchor: LineAnchor | undefined, cols: number): ReactNode => {
    if (!anchor) return null;
    const here = comments.filter((c) => sameAnchor(c, anchor));
    const open = composing !== undefined && sameAnchor(composing, anchor);
    if (here.length === 0 && !open) return null;
    return (
      <tr className="rv-comment-row" key={`c-${anchorKey(anchor)}`}>
        <td colSpan={cols}>
          {here.map((c) => (
            <InlineComment key={c.id} comment={c} onEdit={handlers.onEdit} onRemove={handlers.onRemove} />
          ))}
          {open && (
            <Composer onSubmit={(body) => handlers.onAdd(anchor, body)} onCancel={handlers.onCancel} anchor={anchor} />
          )}
        </td>
      </tr>
    );
  };

  if (mode === "unified") {
    const rows: ReactNode[] = [];
    unifiedRows(file).forEach((row, i) => {
      if (row.type === "hunk") {
        rows.push(
          <tr className="rv-hunk" key={`h${i}`}>
            <td colSpan={3}>{row.header}</td>
          </tr>,
        );
        return;
      }
      rows.push(
        <tr
          key={`l${i}`}
          className={`rv-line rv-${row.kind}`}
          {...lineProps(row.anchor, handlers)}
          aria-label={row.anchor ? `${lineWord(row.kind)} line ${row.anchor.line}` : undefined}
        >
          <td className="rv-num">{row.oldLine ?? ""}</td>
          <td className="rv-num">{row.newLine ?? ""}</td>
          <td className="rv-code">
            <span className="rv-sign">{signOf(row.kind)}</span>
            {row.text}
          </td>
        </tr>,
      );
      const extra = extras(row.anchor, 3);
      if (extra) rows.push(extra);
    });
    return (
      <div className="rv-table-wrap">
        <table className="rv-table rv-unified">
          <tbody>{rows}</tbody>
        </table>
      </div>
    );
  }

  const rows: ReactNode[] = [];
  splitRows(file).forEach((row, i) => {
    if (row.type === "hunk") {
      rows.push(
        <tr className="rv-hunk" key={`h${i}`}>
          <td colSpan={4}>{row.header}</td>
        </tr>,
      );
      return;
    }
    rows.push(
      <tr key={`p${i}`} className="rv-pair">
        <SplitCell cell={row.left} handlers={handlers} />
        <SplitCell cell={row.right} handlers={handlers} />
      </tr>,
    );
    // Comments under the row: the left cell's (a removed line) then the right's (context shares one anchor).
    const seen = new Set<string>();
    for (const c of [row.left, row.right]) {
      if (!c?.anchor || seen.has(anchorKey(c.anchor))) continue;
      seen.add(anchorKey(c.anchor));
      const extra = extras(c.anchor, 4);
      if (extra) rows.push(extra);
    }
  });
  return (
    <div className="rv-table-wrap">
      <table className="rv-table rv-split">
        <colgroup>
          <col className="rv-col-num" />
          <col className="rv-col-code" />
          <col className="rv-col-num" />
          <col className="rv-col-code" />
        </colgroup>
        <tbody>{rows}</tbody>
      </table>
    </div>
  );
}

function SplitCell({ cell, handlers }: { cell: LineCell | undefined; handlers: CommentHandlers }) {
  if (!cell) {
    return (
      <>
        <td className="rv-num rv-empty" />
        <td className="rv-code rv-empty" />
      </>
    );
  }
  const props = lineProps(cell.anchor, handlers);
  return (
    <>
      <td className={`rv-num rv-${cell.kind}`}>{cell.number ?? ""}</td>
      <td
        className={`rv-code rv-line rv-${cell.kind}`}
        {...props}
        aria-label={cell.anchor ? `${lineWord(cell.kind)} line ${cell.anchor.line}` : undefined}
      >
        <span className="rv-sign">{signOf(cell.kind)}</span>
        {cell.text}
      </td>
    </>
  );
}

const signOf = (kind: LineCell["kind"]): string => (kind === "add" ? "+" : kind === "del" ? "−" : " ");
const lineWord = (kind: LineCell["kind"]): string =>
  kind === "add" ? "added" : kind === "del" ? "removed" : "unchanged";

/** What makes a line commentable: focusable, click or `c` / Enter to comment, j/k to move between lines. */
function lineProps(anchor: LineAnchor | undefined, handlers: CommentHandlers) {
  if (!anchor) return {};
  return {
    tabIndex: 0,
    "data-anchor": anchorKey(anchor),
    "data-line-focus": "",
    title: "click or press c to comment",
    onClick: () => {
      // Selecting code to copy it is not a request to comment.
      if ((window.getSelection()?.toString() ?? "") !== "") return;
      handlers.onStart(anchor);
    },
    onKeyDown: (e: KeyboardEvent<HTMLElement>) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "c" || e.key === "Enter") {
        e.preventDefault();
        handlers.onStart(anchor);
      } else if (e.key === "j" || e.key === "ArrowDown" || e.key === "k" || e.key === "ArrowUp") {
        e.preventDefault();
        moveFocus(e.currentTarget, e.key === "j" || e.key === "ArrowDown" ? 1 : -1);
      }
    },
  };
}

function moveFocus(from: HTMLElement, delta: 1 | -1): void {
  const root = from.closest(".rv") ?? document;
  const all = [...root.querySelectorAll<HTMLElement>("[data-line-focus]")];
  const i = all.indexOf(from);
  const next = all[i + delta];
  if (next) {
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }
}

/** Writing a new comment on a line: Ctrl/⌘+Enter adds it, Escape closes it. */
function Composer({
  anchor,
  onSubmit,
  onCancel,
}: {
  anchor: LineAnchor;
  onSubmit: (body: string) => void;
  onCancel: () => void;
}) {
  const [text, setText] = useState("");
  const submit = () => {
    if (text.trim() !== "") onSubmit(text);
  };
  return (
    <form
      className="rv-composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <label className="rv-visually-hidden" htmlFor={`rv-compose-${anchorKey(anchor)}`}>
        Comment on line {anchor.line}
      </label>
      <textarea
        id={`rv-compose-${anchorKey(anchor)}`}
        className="rv-textarea"
        autoFocus
        rows={3}
        value={text}
        placeholder={`Comment on line ${anchor.line}${anchor.side === "old" ? " (removed)" : ""}…`}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            submit();
          } else if (e.key === "Escape") {
            e.preventDefault();
            onCancel();
          }
        }}
      />
      <div className="rv-composer-actions">
        <button type="submit" className="primary" disabled={text.trim() === ""}>
          Add comment
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <span className="rv-hint">Ctrl+Enter to add · Esc to cancel</span>
      </div>
    </form>
  );
}

/** A pending comment shown under its line: its text, or a textarea while editing. */
function InlineComment({
  comment,
  onEdit,
  onRemove,
}: {
  comment: DraftComment;
  onEdit: (id: string, body: string) => void;
  onRemove: (id: string) => void;
}) {
  const [editing, setEditing] = useState(false);
  return (
    <div className={`rv-inline-comment${comment.error ? " rv-refused" : ""}`} data-comment-id={comment.id}>
      <div className="rv-inline-head">
        <span className="rv-pending-tag">pending</span>
        <span className="rv-inline-actions">
          <button type="button" className="link" onClick={() => setEditing((v) => !v)}>
            {editing ? "done" : "edit"}
          </button>
          <button type="button" className="link" onClick={() => onRemove(comment.id)}>
            remove
          </button>
        </span>
      </div>
      {editing ? (
        <textarea
          className="rv-textarea"
          autoFocus
          rows={3}
          value={comment.body}
          aria-label={`edit the comment on line ${comment.line}`}
          onChange={(e) => onEdit(comment.id, e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Escape" || (e.key === "Enter" && (e.ctrlKey || e.metaKey))) {
              e.preventDefault();
              setEditing(false);
            }
          }}
        />
      ) : (
        <p className="rv-inline-body">{comment.body}</p>
      )}
      {comment.error && (
        <p className="rv-comment-error" role="alert">
          {comment.error}
        </p>
      )}
    </div>
  );
}
