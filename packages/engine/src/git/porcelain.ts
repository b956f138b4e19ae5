import type { StatusEntry, WorktreeInfo } from "./types.js";
import { unquotePath } from "./quoted-paths.js";

/**
 * `git worktree list --porcelain -z`: records of NUL-terminated `key value` attributes, each
 * record ended by an empty attribute.
 */
export function parseWorktreeList(stdout: string): WorktreeInfo[] {
  const worktrees: WorktreeInfo[] = [];
  let current: WorktreeInfo | undefined;
  for (const attribute of stdout.split("\0")) {
    if (attribute === "") {
      if (current) worktrees.push(current);
      current = undefined;
      continue;
    }
    const space = attribute.indexOf(" ");
    const key = space === -1 ? attribute : attribute.slice(0, space);
    const value = space === -1 ? "" : attribute.slice(space + 1);
    if (key === "worktree") {
      if (current) worktrees.push(current);
      current = { path: value, detached: false, locked: false, prunable: false, bare: false };
      continue;
    }
    if (!current) continue;
    if (key === "HEAD") current.head = value;
    else if (key === "branch")
      current.branch = value.startsWith("refs/heads/") ? value.slice("refs/heads/".length) : value;
    else if (key === "detached") current.detached = true;
    else if (key === "bare") current.bare = true;
    else if (key === "locked") current.locked = true;
    else if (key === "prunable") current.prunable = true;
  }
  if (current) worktrees.push(current);
  return worktrees;
}

/**
 * `git status --porcelain=v1` (with core.quotePath=true): `XY path` or, for a rename or copy,
 * `XY orig -> path`. A path holding a space or an arrow is quoted, so the split is unambiguous.
 */
export function parseStatus(stdout: string): StatusEntry[] {
  const entries: StatusEntry[] = [];
  for (const line of stdout.split("\n")) {
    if (line.length < 4) continue;
    const index = line.charAt(0);
    const worktree = line.charAt(1);
    const rest = line.slice(3);
    const renamed = index === "R" || index === "C" || worktree === "R" || worktree === "C";
    const arrow = renamed ? findArrow(rest) : -1;
    if (arrow === -1) {
      entries.push({ path: unquotePath(rest), index, worktree });
    } else {
      entries.push({
        path: unquotePath(rest.slice(arrow + 4)),
        index,
        worktree,
        origPath: unquotePath(rest.slice(0, arrow)),
      });
    }
  }
  return entries;
}

/** Where ` -> ` separates the two paths of a rename, skipping over a quoted first path. */
function findArrow(text: string): number {
  let from = 0;
  if (text.startsWith('"')) {
    let i = 1;
    while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    from = i + 1;
  }
  return text.indexOf(" -> ", from);
}
