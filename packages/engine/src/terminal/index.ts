export {
  openTaskTerminal,
  type TaskTerminal,
  type TaskTerminalDeps,
  type TerminalEnd,
  type TerminalSize,
} from "./task-terminal.js";
