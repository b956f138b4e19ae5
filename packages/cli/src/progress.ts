import type { Engine } from "@flotilla/engine";
import type { FlotillaEvent } from "@flotilla/protocol";
import type { Output } from "./output.js";

/** Live progress lines for a person, from the engine's events. Returns an unsubscribe. */
export function printProgress(engine: Engine, out: Output, options: { verbose?: boolean } = {}): () => void {
  return engine.store.subscribe((event) => {
    const line = describeEvent(event, out, options.verbose === true);
    if (line !== undefined) out.say(line);
  });
}

export function describeEvent(event: FlotillaEvent, out: Output, verbose: boolean): string | undefined {
  const p = event.payload;
  const tag = "taskId" in p ? out.color("gray", `[${p.taskId}]`) : "";
  switch (p.type) {
    case "task.status-changed":
      return `${tag} ${p.from} → ${out.color(colorFor(p.to.status), p.to.status)}${detail(p.to)}`;
    case "worktree.created":
      return verbose || !p.reused
        ? `${tag} worktree ${p.reused ? "reused" : "created"}: ${p.path} (${p.branch})`
        : undefined;
    case "run.started":
      return `${tag} agent ${p.agent} started (attempt ${p.attempt}, ${p.runId})`;
    case "run.agent-event": {
      const e = p.event;
      switch (e.type) {
        case "message":
          return `${tag} ${out.color("magenta", "agent:")} ${e.text}`;
        case "tool_call":
          return verbose ? `${tag} tool ${e.name} ${JSON.stringify(e.input ?? {})}` : undefined;
        case "tool_result":
          return verbose || e.isError
            ? `${tag} tool result${e.exitCode !== undefined ? ` (exit ${e.exitCode})` : ""}`
            : undefined;
        case "file_change":
          return `${tag} ${e.kind} ${e.path}`;
        case "question":
          return `${tag} ${out.color("yellow", "question:")} ${e.question}`;
        case "permission_request":
          return `${tag} ${out.color("yellow", "permission:")} ${e.tool}`;
        case "failed":
          return `${tag} ${out.color("red", "agent failed:")} ${e.reason}`;
        case "review":
          return `${tag} review: ${e.verdict}${e.comments.length ? ` — ${e.comments.join("; ")}` : ""}`;
        case "session":
        case "usage":
        case "done":
          return undefined;
      }
      return undefined;
    }
    case "run.output":
      return verbose ? p.lines.map((l) => `${tag} ${out.color("gray", l)}`).join("\n") : undefined;
    case "task.committed":
      return `${tag} committed ${p.commit.slice(0, 10)} (${p.files.length} file(s))`;
    case "verify.started":
      return `${tag} verify: ${p.command.join(" ")} on ${p.commit.slice(0, 10)}`;
    case "verify.finished":
      return `${tag} verify ${p.status === "pass" ? out.color("green", "PASS") : out.color("red", "FAIL")} (exit ${p.exitCode ?? "signal"})`;
    case "merge.conflicted":
      return `${tag} ${out.color("red", "conflict")} with ${p.target} in ${p.files.join(", ")}`;
    case "merge.blocked":
      return `${tag} ${out.color("yellow", "merge waits:")} ${p.reason}`;
    case "task.merged":
      return `${tag} ${out.color("green", "merged")} into ${p.target} at ${p.commit.slice(0, 10)}`;
    case "run.interrupted":
      return `${tag} run ${p.runId} interrupted: ${p.reason}`;
    case "run.finished":
      return verbose ? `${tag} run ${p.runId} ${p.status}` : undefined;
    case "task.waiting":
      return `${tag} ${out.color("gray", p.reason)}`;
    case "task.tool-allowed":
      return `${tag} ${p.tool} allowed for the rest of this task`;
    case "review.finished":
      return undefined; // the reviewer's own review event already said it
    case "task.feedback-sent":
      return `${tag} ${p.kind === "verify" ? "test output" : p.kind === "review" ? "review comments" : p.kind === "completion" ? "completion check" : "conflict"} sent back to the agent (round ${p.round})`;
    case "merge.batch-tested":
      return `merge queue: batch of ${p.taskIds.length} on ${p.target} ${p.status === "pass" ? out.color("green", "PASS") : out.color("red", "FAIL")} (${p.candidate.slice(0, 10)})`;
    case "plan.started":
      return verbose ? `plan ${p.planId} started with ${p.taskIds.length} tasks` : undefined;
    case "plan.finished":
      return `plan ${p.planId} finished in ${(p.makespanMs / 1000).toFixed(1)} s`;
    case "resume.finished":
      return verbose ? `resume ${p.resumeId} finished (${p.taskIds.length} tasks)` : undefined;
    case "watchdog.nudged":
      return `${tag} ${out.color("yellow", "watchdog:")} ${p.kind} (${p.detail}) — nudged the agent in its session`;
    case "watchdog.restarted":
      return `${tag} ${out.color("yellow", "watchdog:")} ${p.kind} (${p.detail}) — restarted the session with a summary`;
    case "watchdog.escalated":
      return `${tag} ${out.color("red", "watchdog:")} ${p.kind} (${p.detail}) — ${p.action === "fail" ? "gave up: the task fails" : "escalated to a person"}`;
    case "watchdog.turn-checked":
      return p.idleTurns > 0 || verbose
        ? `${tag} ${out.color("gray", `turn changed ${p.idleTurns > 0 ? `neither the diff nor the test result (${p.idleTurns} in a row)` : "the diff or the test result"}`)}`
        : undefined;
    case "budget.exceeded":
      return `${tag} ${out.color("red", p.reason)} — the run was stopped, its work committed`;
    case "task.created":
    case "merge.started":
    case "worktree.removed":
    case "project.added":
    case "project.removed":
      return verbose ? `${tag} ${p.type}` : undefined;
  }
}

function colorFor(status: string): "green" | "red" | "yellow" | "cyan" {
  if (status === "merged") return "green";
  if (status === "failed" || status === "conflicted") return "red";
  if (status === "cancelled" || status === "interrupted" || status === "needs_input" || status === "awaiting_merge")
    return "yellow";
  return "cyan";
}

function detail(
  s: FlotillaEvent["payload"] & { type: "task.status-changed" } extends { to: infer T } ? T : never,
): string {
  switch (s.status) {
    case "failed":
      return `: ${s.reason}`;
    case "conflicted":
      return `: ${s.files.join(", ")}`;
    case "needs_input":
      return `: ${s.question}`;
    case "awaiting_merge":
      return s.reason ? `: ${s.reason}` : "";
    case "interrupted":
      return `: ${s.reason}`;
    default:
      return "";
  }
}
