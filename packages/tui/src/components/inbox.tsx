import { Text } from "ink";
import type { NeedsYouItem } from "@flotilla/client";
import { windowAround } from "../selectors.js";
import { Panel, innerRows } from "./panel.js";

export interface InboxProps {
  items: readonly NeedsYouItem[];
  selectedId: string | undefined;
  focused: boolean;
  width: number;
  height: number;
}

const LABEL: Record<NeedsYouItem["kind"], string> = {
  needs_input: "? needs input",
  conflicted: "≠ conflicted",
  failed: "✗ failed",
  awaiting_merge: "! blocked",
};

/** What only a person can move on: questions, conflicts, failures, blocked merges. */
export function InboxPanel({ items, selectedId, focused, width, height }: InboxProps) {
  const cursor = Math.max(
    0,
    items.findIndex((i) => i.taskId === selectedId),
  );
  const { start, end } = windowAround(items.length, cursor, innerRows(height));
  return (
    <Panel title={`Needs you (${items.length})`} focused={focused} width={width} height={height}>
      {items.length === 0 ? <Text color="gray">nothing needs you</Text> : null}
      {items.slice(start, end).map((item) => (
        <Text key={item.taskId} wrap="truncate" inverse={focused && item.taskId === selectedId}>
          {item.taskId === selectedId ? "›" : " "}{" "}
          <Text color={item.kind === "needs_input" ? "magenta" : item.kind === "awaiting_merge" ? "yellow" : "red"}>
            {LABEL[item.kind]}
          </Text>{" "}
          {item.taskId}: <Text color="gray">{item.reason}</Text>
        </Text>
      ))}
    </Panel>
  );
}
