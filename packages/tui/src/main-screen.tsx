import { Box } from "ink";
import type { NeedsYouItem, ViewState, TaskView } from "@flotilla/client";
import { AgentPanes } from "./components/agent-panes.js";
import { InboxPanel } from "./components/inbox.js";
import { MergeQueuePanel } from "./components/merge-queue.js";
import { TaskBoard } from "./components/task-board.js";
import type { BoardGroup } from "./selectors.js";
import type { PaneId } from "./ui-state.js";

export interface MainScreenProps {
  state: ViewState;
  groups: readonly BoardGroup[];
  agents: readonly TaskView[];
  queue: readonly TaskView[];
  inbox: readonly NeedsYouItem[];
  focus: PaneId;
  selected: Readonly<Record<PaneId, string | undefined>>;
  width: number;
  height: number;
}

/** The board and the agent panes above, the merge queue and the inbox below. */
export function MainScreen(p: MainScreenProps) {
  const bottom = Math.max(5, Math.min(10, Math.floor(p.height * 0.3)));
  const top = Math.max(5, p.height - bottom);
  const boardWidth = Math.max(30, Math.floor(p.width * 0.4));
  const half = Math.floor(p.width / 2);
  return (
    <Box flexDirection="column" width={p.width} height={p.height}>
      <Box flexDirection="row" height={top}>
        <TaskBoard
          groups={p.groups}
          selectedId={p.selected.board}
          focused={p.focus === "board"}
          width={boardWidth}
          height={top}
        />
        <AgentPanes
          agents={p.agents}
          output={p.state.output}
          selectedId={p.selected.agents}
          focused={p.focus === "agents"}
          width={p.width - boardWidth}
          height={top}
        />
      </Box>
      <Box flexDirection="row" height={bottom}>
        <MergeQueuePanel
          tasks={p.queue}
          batches={p.state.mergeQueue.lastBatches}
          selectedId={p.selected.queue}
          focused={p.focus === "queue"}
          width={half}
          height={bottom}
        />
        <InboxPanel
          items={p.inbox}
          selectedId={p.selected.inbox}
          focused={p.focus === "inbox"}
          width={p.width - half}
          height={bottom}
        />
      </Box>
    </Box>
  );
}
