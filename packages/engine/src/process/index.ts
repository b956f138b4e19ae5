export {
  startProcess,
  signalGroup,
  sweepMarker,
  sweepOrphans,
  delay,
  type ChildHandle,
  type ExitResult,
  type StartOptions,
} from "./spawn.js";
export { runCommand, type CommandResult, type RunCommandOptions } from "./run-command.js";
export {
  MARKER_ENV,
  OWNER_ENV,
  findMarkedProcesses,
  findProcessesByMarker,
  isProcessAlive,
  ownerTag,
  processStartTime,
  processState,
  type MarkedProcess,
  type ProcessOwner,
} from "./proc-table.js";
export { createLineSplitter } from "./line-splitter.js";
export { startPty, type PtyHandle, type PtyOptions } from "./pty.js";
export { openUrl } from "./open-url.js";
