import type { DiffFile } from "@flotilla/client";
import { fileDomId } from "./DiffFileView.js";
import { fileLabel } from "./diff-model.js";

/** The changed files with their counts and comments; a click opens (expands and scrolls to) one. */
export function FileList({
  files,
  commentCount,
  onOpen,
  onCollapseAll,
}: {
  files: readonly DiffFile[];
  commentCount: (path: string) => number;
  onOpen: (path: string) => void;
  onCollapseAll: (collapse: boolean) => void;
}) {
  return (
    <nav className="rv-filelist" aria-label="changed files">
      <ul>
        {files.map((f) => {
          const n = commentCount(f.path);
          return (
            <li key={f.path}>
              <a
                href={`#${fileDomId(f.path)}`}
                onClick={(e) => {
                  e.preventDefault(); // hash routing: do not navigate
                  onOpen(f.path);
                }}
              >
                <span className={`rv-status rv-status-${f.status}`}>{f.status[0]?.toUpperCase()}</span>
                <span className="rv-path">{fileLabel(f)}</span>
                <span className="rv-counts">
                  <span className="rv-plus">+{f.additions}</span> <span className="rv-minus">−{f.deletions}</span>
                </span>
                {n > 0 && (
                  <span className="rv-comment-count">
                    {n} comment{n === 1 ? "" : "s"}
                  </span>
                )}
              </a>
            </li>
          );
        })}
      </ul>
      <div className="rv-filelist-actions">
        <button type="button" className="link" onClick={() => onCollapseAll(false)}>
          expand all
        </button>
        <button type="button" className="link" onClick={() => onCollapseAll(true)}>
          collapse all
        </button>
      </div>
    </nav>
  );
}
