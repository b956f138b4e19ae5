/** The keymap: a key press to a command. One table, shown in the footer and docs/tui.md. */

export type Command =
  | "down"
  | "up"
  | "top"
  | "bottom"
  | "nextPane"
  | "prevPane"
  | "open"
  | "back"
  | "abort"
  | "stop"
  | "retry"
  | "merge"
  | "continue"
  | "answer"
  | "approve"
  | "approveAlways"
  | "deny"
  | "clean"
  | "cleanForce"
  | "edit"
  | "editGlobal"
  | "project"
  | "settings"
  | "quit";

/** The parts of Ink's `Key` the keymap reads. */
export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  shift?: boolean;
  ctrl?: boolean;
}

const LETTERS: Readonly<Record<string, Command>> = {
  j: "down",
  k: "up",
  g: "top",
  G: "bottom",
  l: "nextPane",
  h: "prevPane",
  a: "abort",
  s: "stop",
  r: "retry",
  m: "merge",
  c: "continue",
  i: "answer",
  y: "approve",
  Y: "approveAlways",
  n: "deny",
  x: "clean",
  X: "cleanForce",
  e: "edit",
  E: "editGlobal",
  p: "project",
  ",": "settings",
  q: "quit",
};

export function commandFor(input: string, key: KeyInfo): Command | undefined {
  if (key.ctrl && input === "c") return "quit";
  if (key.downArrow) return "down";
  if (key.upArrow) return "up";
  if (key.tab) return key.shift ? "prevPane" : "nextPane";
  if (key.rightArrow) return "nextPane";
  if (key.leftArrow) return "prevPane";
  if (key.return) return "open";
  if (key.escape) return "back";
  if (key.ctrl) return undefined;
  return LETTERS[input];
}

/** The keys as help text: [keys, what they do]. */
export const KEY_HELP: ReadonlyArray<readonly [string, string]> = [
  ["j/k ↑/↓", "move"],
  ["h/l tab", "pane"],
  ["g/G", "top/bottom"],
  ["enter", "detail"],
  ["esc", "back"],
  ["a/s", "abort"],
  ["r", "retry"],
  ["m", "merge"],
  ["c", "continue"],
  ["i", "answer"],
  ["y/n", "approve/deny"],
  ["x", "clean"],
  ["e", "edit config"],
  ["p", "project"],
  [",", "settings"],
  ["q", "quit"],
];
