import { strToU8, zipSync } from "fflate";
import { buildTranscript, type Transcript, type TranscriptEntry } from "@flotilla/client";
import { formatCost, taskUsage, type AnswerRun, type Engine } from "@flotilla/engine";
import type { Task } from "@flotilla/protocol";

/**
 * A task's export: one zip with `task.json` (the task, its runs, the orchestrator's answers to its
 * questions, and its usage with those answers), `transcript.json` and a readable `transcript.md`
 * (the answers at its end), `diff.patch` (its branch against the merge base with its target), and
 * `events.jsonl` (its whole stored log, output lines included).
 */
export async function exportTaskZip(engine: Engine, taskId: string): Promise<Uint8Array> {
  const task = engine.task(taskId);
  const runs = engine.store.read.runs.listForTask(taskId);
  const answers = engine.store.read.runs.answersForTask(taskId);
  const events = engine.store.read.events.since(0, { taskId, limit: 100_000_000 });
  const transcript = buildTranscript(taskId, events);
  const diff = await engine.diff(taskId);
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const files: Record<string, string> = {
    "task.json": json({
      task,
      runs,
      // The orchestrator answering the runs' `ask` questions (role orchestrator, askedBy: the run
      // that asked): not among the runs, but their tokens and cost are in `usage`.
      answers,
      usage: taskUsage(runs, answers),
      diff: { base: diff.base, head: diff.head, files: diff.files.length, truncated: diff.truncated },
      exportedAt: new Date().toISOString(),
    }),
    "transcript.json": json(transcript),
    "transcript.md": transcriptMarkdown(task, transcript, answers),
    "diff.patch": diff.patch,
    "events.jsonl": events.map((e) => `${JSON.stringify(e)}\n`).join(""),
  };
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
}

/** The download's file name: the task id with anything unusual replaced (safe in a header and on disk). */
export function exportFileName(taskId: string): string {
  return `flotilla-task-${taskId.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 120)}.zip`;
}

/** The transcript as Markdown a person reads: runs as sections, what was said, tool calls with results. */
export function transcriptMarkdown(
  task: Pick<Task, "id" | "title" | "branch" | "targetBranch">,
  t: Transcript,
  answers: readonly AnswerRun[] = [],
): string {
  const out = [`# ${task.title}`, "", `Task \`${task.id}\` · branch \`${task.branch}\` → \`${task.targetBranch}\``, ""];
  for (const e of t.entries) out.push(...entryMarkdown(e), "");
  if (answers.length > 0) out.push(...answersMarkdown(answers));
  return `${out.join("\n").trimEnd()}\n`;
}

/** The orchestrator's answers to the task's questions: when, the run that asked, status, tokens and cost. */
function answersMarkdown(answers: readonly AnswerRun[]): string[] {
  const usage = taskUsage([], answers);
  const lines = [
    "## The orchestrator's answers",
    "",
    `${answers.length} answer(s) to the runs' questions: tokens ${usage.inputTokens}/${usage.outputTokens}, ` +
      `${formatCost(usage.costUsd)}, counted in the task's usage.`,
    "",
  ];
  for (const a of answers) {
    lines.push(
      `- \`${a.id}\` · ${a.startedAt} · asked by run \`${a.askedBy}\` · ${a.agent} · ${a.status}` +
        ` · tokens ${a.inputTokens}/${a.outputTokens} · ${formatCost(a.costUsd)}${a.reason ? ` · ${a.reason}` : ""}`,
    );
  }
  return [...lines, ""];
}

function entryMarkdown(e: TranscriptEntry): string[] {
  switch (e.kind) {
    case "run":
      return [`## Run ${e.attempt} · ${e.agent}${e.role !== undefined ? ` (${e.role})` : ""} · ${e.at}`];
    case "user":
      return ["**Said to the agent:**", "", ...quote(e.text)];
    case "agent":
      return ["**Agent:**", "", e.text];
    case "tool": {
      const lines = [`**Tool \`${e.name}\`**${e.isError === true ? " (failed)" : ""}`];
      if (e.input !== undefined) lines.push("", ...fenced(JSON.stringify(e.input, null, 2), "json"));
      if (e.output !== undefined && e.output !== "") lines.push("", ...fenced(e.output, ""));
      return lines;
    }
    case "notice":
      return [`_${e.topic}: ${e.text.replace(/\n/g, " ")}_`];
  }
}

function quote(text: string): string[] {
  return text.split("\n").map((l) => (l === "" ? ">" : `> ${l}`));
}

/** A code block whose fence is longer than any run of backticks in the text. */
function fenced(text: string, lang: string): string[] {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return [`${fence}${lang}`, text.replace(/\n$/, ""), fence];
}
