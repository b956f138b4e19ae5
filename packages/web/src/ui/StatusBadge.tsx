import type { TaskStatusName } from "@flotilla/protocol";
import { labelOf, toneOf } from "./status.js";

export function StatusBadge({ status }: { status: TaskStatusName }) {
  return <span className={`badge tone-${toneOf(status)}`}>{labelOf(status)}</span>;
}

/** A count on a nav link or the header (hidden at 0). */
export function CountBadge({ count, label }: { count: number; label: string }) {
  if (count <= 0) return null;
  return (
    <span className="count-badge" aria-label={`${count} ${label}`} title={`${count} ${label}`}>
      {count}
    </span>
  );
}
