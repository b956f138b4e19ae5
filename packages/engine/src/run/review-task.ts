import type { Project, Script, Task } from "@flotilla/protocol";
import { agentForRole } from "../config/index.js";
import { moveTask } from "../tasks/task-transitions.js";
import { settleWatchdogStop } from "../watchdog/index.js";
import { executeTurn, type TurnOutcome } from "./agent-turn.js";
import { sendBack } from "./commit-and-verify.js";
import type { PipelineDeps } from "./pipeline-deps.js";
import { failTask, mustGet } from "./prepare-worktree.js";
import { parseVerdict, type Verdict } from "./verdict.js";

/**
 * What the scripted reviewer does when a task gives it no script: approve, in every review (a
 * later review, e.g. after a person's follow-up, continues the reviewer's session: a follow-up turn).
 */
const APPROVE_STEP = { review: { verdict: "approve" as const, comments: [] } };
const APPROVE: Script = { steps: [APPROVE_STEP], followUps: Array.from({ length: 100 }, () => [APPROVE_STEP]) };
const MAX_DIFF = 60_000;

/**
 * The review step: an agent in the reviewer role reads the diff and answers with a verdict.
 * approve → awaiting_merge; request_changes → the comments go to the coding agent as the next
 * message in its session, for a bounded number of rounds. A malformed answer is retried once.
 */
export async function reviewTask(
  deps: PipelineDeps,
  task: Task,
  project: Project,
  shutdown: AbortSignal,
): Promise<void> {
  const config = deps.configFor(project);
  const spec = task.review === false ? undefined : task.review;
  const reviewer = spec?.agent ?? agentForRole(config, "reviewer");
  const diff =
    task.baseCommit && task.headCommit
      ? await deps.git.diff(project.path, task.baseCommit, task.headCommit, { maxBytes: MAX_DIFF })
      : "";
  const prompt = [
    `Review this change for the task "${task.title}".`,
    `Task: ${task.prompt}`,
    `Answer with a JSON object {"verdict": "approve" | "request_changes", "comments": ["..."]}.`,
    "",
    "```diff",
    diff,
    "```",
  ].join("\n");

  let verdict: Verdict | undefined;
  let problem = "";
  for (let attempt = 0; attempt < 2 && verdict === undefined; attempt++) {
    // The reviewer keeps one session per task: a second review continues it (it remembers).
    const earlier = deps.store.read.runs
      .listForTask(task.id)
      .filter((r) => r.role === "reviewer" && r.sessionId !== undefined && r.status === "succeeded")
      .pop();
    const outcome: TurnOutcome = await executeTurn(deps, {
      task: mustGet(deps, task.id),
      project,
      role: "reviewer",
      agentName: reviewer,
      prompt,
      ...(earlier?.sessionId !== undefined ? { followUpOf: earlier.sessionId } : {}),
      script: spec?.script ?? APPROVE,
      shutdown,
      onStarted: (ctx, runId) => {
        if (mustGet(deps, task.id).state.status !== "reviewing") moveTask(ctx, task.id, { status: "reviewing", runId });
      },
    });
    if (outcome.stopped === "shutdown") {
      deps.store.write((ctx) =>
        moveTask(ctx, task.id, {
          status: "interrupted",
          from: "reviewing",
          reason: "Flotilla was stopped during review",
        }),
      );
      return;
    }
    if (outcome.stopped === "cancel") {
      deps.store.write((ctx) => {
        ctx.tasks.requestCancel(task.id, false);
        moveTask(ctx, task.id, { status: "cancelled", reason: "aborted by a person" });
      });
      return;
    }
    // A budget ran out (the task's or the plan's): the task stops here, its work kept, the limit named.
    if (outcome.watchdog?.kind === "budget" && (await settleWatchdogStop(deps, mustGet(deps, task.id), outcome)))
      return;
    const parsed = outcome.review ?? parseVerdict(outcome.lastMessage);
    if (typeof parsed === "string" || outcome.result.outcome === "failed") {
      problem = outcome.result.outcome === "failed" ? outcome.result.reason : (parsed as string);
      continue;
    }
    verdict = parsed;
    deps.store.write((ctx) =>
      ctx.emit({
        type: "review.finished",
        taskId: task.id,
        runId: outcome.runId,
        verdict: parsed.verdict,
        comments: parsed.comments,
      }),
    );
  }
  if (verdict === undefined)
    return failTask(deps, task.id, `review failed: the reviewer gave no usable verdict (${problem})`);
  if (verdict.verdict === "approve") {
    deps.store.write((ctx) => moveTask(ctx, task.id, { status: "awaiting_merge" }));
    return;
  }
  const current = mustGet(deps, task.id);
  const allowed = spec?.rounds ?? config.workflow.reviewRounds;
  if (current.rounds.review >= allowed) {
    return failTask(
      deps,
      task.id,
      `the reviewer still requests changes after ${allowed} round(s)`,
      verdict.comments.join("\n"),
    );
  }
  const message = `A reviewer requested changes:\n${verdict.comments.map((c) => `- ${c}`).join("\n")}\nAddress them.`;
  await sendBack(deps, current, project, shutdown, "review", message);
}
