import type { TaskStatus } from "@flotilla/protocol";

export type Tone = "green" | "yellow" | "red" | "cyan" | "gray" | "magenta" | "blue";

export interface BadgeSpec {
  symbol: string;
  label: string;
  tone: Tone;
}

/** The badge every task shows, wherever it is listed: a symbol, a word, a colour. */
export function badgeOf(state: TaskStatus): BadgeSpec {
  switch (state.status) {
    case "queued":
      return { symbol: "○", label: "queued", tone: "gray" };
    case "preparing":
      return { symbol: "◌", label: "preparing", tone: "cyan" };
    case "running":
      return { symbol: "●", label: "running", tone: "green" };
    case "verifying":
      return { symbol: "◐", label: "verifying", tone: "cyan" };
    case "reviewing":
      return { symbol: "◑", label: "reviewing", tone: "cyan" };
    case "awaiting_merge":
      return state.reason !== undefined
        ? { symbol: "!", label: "blocked", tone: "yellow" }
        : { symbol: "⧗", label: "awaiting merge", tone: "blue" };
    case "merging":
      return { symbol: "⇡", label: "merging", tone: "blue" };
    case "merged":
      return { symbol: "✓", label: "merged", tone: "green" };
    case "failed":
      return { symbol: "✗", label: "failed", tone: "red" };
    case "cancelled":
      return { symbol: "⊘", label: "cancelled", tone: "gray" };
    case "conflicted":
      return { symbol: "≠", label: "conflicted", tone: "red" };
    case "needs_input":
      return { symbol: "?", label: "needs input", tone: "magenta" };
    case "interrupted":
      return { symbol: "‖", label: "interrupted", tone: "yellow" };
  }
}

/** The badge as plain text, e.g. `● running`. */
export function badgeText(state: TaskStatus): string {
  const b = badgeOf(state);
  return `${b.symbol} ${b.label}`;
}
