import { Box, Text } from "ink";
import type { BoardGroup } from "../selectors.js";
import { windowAround } from "../selectors.js";
import { Badge } from "./badge.js";
import { Panel, innerRows } from "./panel.js";

export interface TaskBoardProps {
  groups: readonly BoardGroup[];
  selectedId: string | undefined;
  focused: boolean;
  width: number;
  height: number;
}

type Row = { kind: "group"; name: string; count: number } | { kind: "task"; group: BoardGroup; index: number };

/** Every task, grouped by status, with its badge and what a waiting task waits for. */
export function TaskBoard({ groups, selectedId, focused, width, height }: TaskBoardProps) {
  const rows: Row[] = [];
  for (const g of groups) {
    rows.push({ kind: "group", name: g.name, count: g.tasks.length });
    g.tasks.forEach((_t, index) => rows.push({ kind: "task", group: g, index }));
  }
  const selectedRow = rows.findIndex((r) => r.kind === "task" && r.group.tasks[r.index]?.id === selectedId);
  const { start, end } = windowAround(rows.length, Math.max(0, selectedRow), innerRows(height));
  const total = groups.reduce((n, g) => n + g.tasks.length, 0);
  return (
    <Panel title={`Tasks (${total})`} focused={focused} width={width} height={height}>
      {rows.length === 0 ? <Text color="gray">no tasks yet</Text> : null}
      {rows.slice(start, end).map((r) => {
        if (r.kind === "group") {
          return (
            <Text key={`g-${r.name}`} bold color="gray" wrap="truncate">
              {r.name.toUpperCase()} ({r.count})
            </Text>
          );
        }
        const t = r.group.tasks[r.index];
        if (!t) return null;
        const selected = t.id === selectedId;
        return (
          <Box key={t.id}>
            <Text wrap="truncate" inverse={selected && focused} bold={selected}>
              {selected ? "›" : " "} <Badge state={t.state} /> {t.id}
              <Text color="gray">
                {t.title !== t.id ? ` ${t.title}` : ""}
                {t.waitingFor !== undefined ? ` — ${t.waitingFor}` : ""}
              </Text>
            </Text>
          </Box>
        );
      })}
    </Panel>
  );
}
