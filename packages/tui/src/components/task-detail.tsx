import { Box, Text } from "ink";
import type { RunView, TaskView } from "@flotilla/client";
import { Badge } from "./badge.js";
import { Panel } from "./panel.js";

export interface TaskDetailProps {
  task: TaskView | undefined;
  runs: readonly RunView[];
  lines: readonly string[];
  width: number;
  height: number;
  /** Lines scrolled back from the log's end (0 follows the tail). */
  scroll: number;
}

function stateDetail(t: TaskView): string | undefined {
  const s = t.state;
  switch (s.status) {
    case "failed":
      return s.detail !== undefined ? `${s.reason}: ${s.detail}` : s.reason;
    case "conflicted":
      return `conflict in ${s.files.join(", ")}`;
    case "needs_input":
      return s.question;
    case "interrupted":
      return `${s.reason} (was ${s.from})`;
    case "awaiting_merge":
    case "cancelled":
      return s.reason;
    case "merged":
      return `commit ${s.commit.slice(0, 12)}`;
    default:
      return undefined;
  }
}

/** One task: its state, what it waits for, its runs, and its output log (j/k scroll). */
export function TaskDetail({ task, runs, lines, width, height, scroll }: TaskDetailProps) {
  if (!task) {
    return (
      <Panel title="Task" focused width={width} height={height}>
        <Text color="gray">that task is gone (esc to go back)</Text>
      </Panel>
    );
  }
  const why = stateDetail(task);
  const head = 4 + Math.min(runs.length, 4);
  const logRows = Math.max(1, height - 3 - head);
  const start = Math.max(0, lines.length - logRows - scroll);
  return (
    <Panel title={`Task ${task.id} (esc back)`} focused width={width} height={height}>
      <Text wrap="truncate">
        <Badge state={task.state} /> <Text bold>{task.title}</Text>
        {why !== undefined ? <Text color="gray"> — {why}</Text> : null}
      </Text>
      <Text wrap="truncate" color="gray">
        attempts {task.attempts}
        {task.agent !== undefined ? ` · agent ${task.agent}` : ""}
        {task.planId !== undefined ? ` · plan ${task.planId}` : ""}
        {task.headCommit !== undefined ? ` · head ${task.headCommit.slice(0, 12)}` : ""}
        {task.waitingFor !== undefined ? ` · ${task.waitingFor}` : ""}
      </Text>
      <Text bold>Runs</Text>
      {runs.length === 0 ? <Text color="gray">no runs yet</Text> : null}
      {runs.slice(-4).map((r) => (
        <Text key={r.id} wrap="truncate">
          #{r.attempt} {r.agent} {r.status}
          {r.exitCode !== undefined ? ` exit ${r.exitCode}` : ""}
          {r.reason !== undefined ? ` — ${r.reason}` : ""}
        </Text>
      ))}
      <Box>
        <Text bold>
          Log ({lines.length} lines{lines.length > logRows ? `, ${start + 1}-${start + logRows}` : ""})
        </Text>
      </Box>
      {lines.slice(start, start + logRows).map((l, i) => (
        <Text key={start + i} wrap="truncate">
          {l === "" ? " " : l}
        </Text>
      ))}
    </Panel>
  );
}
