import { Text } from "ink";
import type { BatchResult, TaskView } from "@flotilla/client";
import { windowAround } from "../selectors.js";
import { Badge } from "./badge.js";
import { Panel, innerRows } from "./panel.js";

export interface MergeQueueProps {
  tasks: readonly TaskView[];
  batches: readonly BatchResult[];
  selectedId: string | undefined;
  focused: boolean;
  width: number;
  height: number;
}

/** Tasks waiting to land or landing (oldest first), then the latest batch outcomes. */
export function MergeQueuePanel({ tasks, batches, selectedId, focused, width, height }: MergeQueueProps) {
  const rows = innerRows(height);
  const taskRows = Math.max(0, rows - Math.min(batches.length, 2));
  const cursor = Math.max(
    0,
    tasks.findIndex((t) => t.id === selectedId),
  );
  const { start, end } = windowAround(tasks.length, cursor, taskRows);
  const recent = batches.slice(-(rows - Math.min(tasks.length, taskRows))).reverse();
  return (
    <Panel title={`Merge queue (${tasks.length})`} focused={focused} width={width} height={height}>
      {tasks.length === 0 ? <Text color="gray">nothing waiting to land</Text> : null}
      {tasks.slice(start, end).map((t) => (
        <Text key={t.id} wrap="truncate" inverse={focused && t.id === selectedId}>
          {t.id === selectedId ? "›" : " "} <Badge state={t.state} /> {t.id}
        </Text>
      ))}
      {recent.map((b, i) => (
        <Text key={`b-${i}`} wrap="truncate" color={b.status === "pass" ? "green" : "red"}>
          batch {b.status === "pass" ? "✓ pass" : "✗ fail"}: {b.taskIds.join(", ")} → {b.target}
        </Text>
      ))}
    </Panel>
  );
}
