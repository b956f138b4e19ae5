import { Box, Text } from "ink";
import type { TaskView } from "@flotilla/client";
import { visibleLines } from "../selectors.js";
import { Badge } from "./badge.js";
import { Panel, innerRows } from "./panel.js";

export interface AgentPanesProps {
  agents: readonly TaskView[];
  output: Readonly<Record<string, readonly string[]>>;
  selectedId: string | undefined;
  focused: boolean;
  width: number;
  height: number;
}

/** How many columns of panes for `n` agents. */
export function gridColumns(n: number): number {
  return n <= 1 ? 1 : n <= 4 ? 2 : n <= 9 ? 3 : 4;
}

/** One viewport per running agent: its badge and the last lines of its output, fitted to the pane. */
export function AgentPanes({ agents, output, selectedId, focused, width, height }: AgentPanesProps) {
  if (agents.length === 0) {
    return (
      <Panel title="Agents" focused={focused} width={width} height={height}>
        <Text color="gray">no agent is running</Text>
      </Panel>
    );
  }
  const cols = gridColumns(agents.length);
  const rows = Math.ceil(agents.length / cols);
  const paneWidth = Math.floor(width / cols);
  const paneHeight = Math.max(4, Math.floor(height / rows));
  const grid: TaskView[][] = [];
  for (let i = 0; i < agents.length; i += cols) grid.push(agents.slice(i, i + cols));
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {grid.map((row, r) => (
        <Box key={r} flexDirection="row">
          {row.map((t) => (
            <AgentPane
              key={t.id}
              task={t}
              lines={output[t.id]}
              selected={t.id === selectedId}
              focused={focused}
              width={paneWidth}
              height={paneHeight}
            />
          ))}
        </Box>
      ))}
    </Box>
  );
}

interface AgentPaneProps {
  task: TaskView;
  lines: readonly string[] | undefined;
  selected: boolean;
  focused: boolean;
  width: number;
  height: number;
}

export function AgentPane({ task, lines, selected, focused, width, height }: AgentPaneProps) {
  const shown = visibleLines(lines, innerRows(height), Math.max(1, width - 2));
  return (
    <Box
      flexDirection="column"
      width={width}
      height={height}
      borderStyle={selected && focused ? "double" : "single"}
      borderColor={selected && focused ? "cyan" : selected ? "white" : "gray"}
      overflow="hidden"
    >
      <Text wrap="truncate">
        <Badge state={task.state} /> <Text bold>{task.id}</Text>
        <Text color="gray">
          {task.agent !== undefined ? ` ${task.agent}` : ""}
          {task.attempts > 1 ? ` #${task.attempts}` : ""}
        </Text>
      </Text>
      {shown.length === 0 ? <Text color="gray">(no output yet)</Text> : null}
      {shown.map((line, i) => (
        <Text key={i} wrap="truncate">
          {line === "" ? " " : line}
        </Text>
      ))}
    </Box>
  );
}
