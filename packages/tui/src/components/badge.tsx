import { Text } from "ink";
import type { TaskStatus } from "@flotilla/protocol";
import { badgeOf } from "../badge.js";

/** A task's status badge, e.g. `● running` in green. */
export function Badge({ state }: { state: TaskStatus }) {
  const b = badgeOf(state);
  return (
    <Text color={b.tone}>
      {b.symbol} {b.label}
    </Text>
  );
}
