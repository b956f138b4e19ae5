import { FlotillaError } from "@flotilla/protocol";
import type { DiffFile, DiffLine } from "../git/index.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import { taskDiff } from "./task-diff.js";

/** A comment on one line of a task's diff: `new` = a line of the new file, `old` = a removed line. */
export interface ReviewComment {
  path: string;
  line: number;
  side: "old" | "new";
  body: string;
}

/** Inline comments on the diff at `head` (the commit the reviewer read), and what to say first. */
export interface ReviewInput {
  head: string;
  comments: readonly ReviewComment[];
  summary?: string;
}

/** The diff line a comment is on: a new-file line (added or context) or an old-file one (removed or context). */
export function commentedLine(files: readonly DiffFile[], c: Pick<ReviewComment, "path" | "line" | "side">) {
  for (const file of files) {
    const onFile =
      c.side === "new" ? file.path === c.path : (file.oldPath ?? file.path) === c.path || file.path === c.path;
    if (!onFile) continue;
    for (const hunk of file.hunks) {
      for (const line of hunk.lines) {
        if (c.side === "new" && line.kind !== "del" && line.newLine === c.line) return line;
        if (c.side === "old" && line.kind !== "add" && line.oldLine === c.line) return line;
      }
    }
  }
  return undefined;
}

/**
 * Checks every comment against the diff and writes them as ONE message to the agent: the
 * summary, then each comment as `path:line`, the quoted line and the comment. A comment on a
 * line the diff does not have (the head moved, or it never was one) is refused, naming each,
 * and no message is made.
 */
export function composeReview(
  diff: { taskId: string; head: string; files: readonly DiffFile[] },
  review: ReviewInput,
): string {
  const found: { comment: ReviewComment; line: DiffLine }[] = [];
  const bad: ReviewComment[] = [];
  for (const comment of review.comments) {
    const line = commentedLine(diff.files, comment);
    if (line) found.push({ comment, line });
    else bad.push(comment);
  }
  if (bad.length > 0) {
    const moved = !diff.head.toLowerCase().startsWith(review.head.toLowerCase());
    const where = bad.map(label).join(", ");
    throw new FlotillaError(
      "invalid_input",
      `${bad.length === 1 ? "a review comment is" : `${bad.length} review comments are`} not on a line of ` +
        `task ${diff.taskId}'s current diff` +
        (moved
          ? ` (its head moved from ${review.head.slice(0, 10)} to ${diff.head.slice(0, 10)} since you read it)`
          : "") +
        `; nothing was sent: ${where}`,
      {
        taskId: diff.taskId,
        head: diff.head,
        comments: bad.map((c) => ({ path: c.path, line: c.line, side: c.side })),
      },
    );
  }
  const parts = [`A reviewer left ${found.length === 1 ? "a comment" : `${found.length} comments`} on your changes.`];
  if (review.summary !== undefined && review.summary.trim() !== "") parts.push(review.summary.trim());
  for (const { comment, line } of found) {
    parts.push([`${label(comment)}`, `> ${line.text}`, comment.body.trim()].join("\n"));
  }
  parts.push("Address each comment, then finish.");
  return parts.join("\n\n");
}

function label(c: Pick<ReviewComment, "path" | "line" | "side">): string {
  return `${c.path}:${c.line}${c.side === "old" ? " (a removed line)" : ""}`;
}

/** The review as the follow-up message to send, checked against the task's CURRENT diff. */
export async function reviewMessage(
  deps: Pick<PipelineDeps, "store" | "git">,
  taskId: string,
  review: ReviewInput,
): Promise<string> {
  return composeReview(await taskDiff(deps, taskId), review);
}
