import type { Project, Task } from "@flotilla/protocol";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import { evaluateCompletion } from "./evaluate.js";

export type CompletionVerdict =
  { kind: "pass" } | { kind: "send_back"; message: string } | { kind: "fail"; reason: string; detail: string };

/**
 * Checks that the agent is really done before verify runs (seed 003 VER): its branch changed the
 * files the task said it would write, and nothing outside them (warn or fail, `completion.stray`).
 * A failed check goes back to the agent for `workflow.completionRounds` rounds (counted from the
 * stored `task.feedback-sent` events), then fails the task with the reason. A warning is
 * announced as a `task.waiting` note so it shows in `flotilla logs`.
 */
export async function checkCompletion(
  deps: PipelineDeps,
  task: Task,
  project: Project,
  dir: string,
  from: string,
  head: string,
): Promise<CompletionVerdict> {
  const config = deps.configFor(project);
  if (!config.completion.enabled || task.writes.length === 0) return { kind: "pass" };
  const changed = await deps.git.changedFiles(dir, from, head);
  const findings = evaluateCompletion(task.writes, changed, config.completion);
  if (findings.warnings.length > 0) {
    deps.store.write((ctx) =>
      ctx.emit({ type: "task.waiting", taskId: task.id, reason: `completion check: ${findings.warnings.join("; ")}` }),
    );
  }
  if (findings.problems.length === 0) return { kind: "pass" };
  const problems = findings.problems.join("; ");
  if (completionRoundsUsed(deps, task.id) < config.workflow.completionRounds) {
    return {
      kind: "send_back",
      message:
        `The completion check failed: ${problems}. ` +
        `Change the files this task is about (${task.writes.join(", ")}) and undo changes to any other file.`,
    };
  }
  return {
    kind: "fail",
    reason: `completion check failed: ${problems}`,
    detail: `changed files: ${changed.join(", ")}`,
  };
}

/** Completion feedback rounds used so far, derived from the event log. */
export function completionRoundsUsed(deps: Pick<PipelineDeps, "store">, taskId: string): number {
  return deps.store.read.events
    .since(0, { taskId, types: ["task.feedback-sent"] })
    .filter((e) => e.payload.type === "task.feedback-sent" && e.payload.kind === "completion").length;
}
