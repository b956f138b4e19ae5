export * from "./detectors.js";
export * from "./budget.js";
export * from "./run-watchdog.js";
export { runLadder, nudgeMessage, restartPrompt } from "./ladder.js";
export { settleWatchdogStop } from "./settle.js";
export { checkTurnProgress, ladderPosition } from "./turn-progress.js";
