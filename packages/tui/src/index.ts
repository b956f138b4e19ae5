export { runTui, type RunTuiOptions } from "./run-tui.js";
export { App, type AppProps } from "./app.js";
export { commandFor, KEY_HELP, type Command, type KeyInfo } from "./keymap.js";
export { badgeOf, badgeText, type BadgeSpec } from "./badge.js";
export { createBatcher, type Batcher } from "./throttle.js";
export * from "./selectors.js";
export { initialUiState, uiReduce, nextProject, type UiState, type UiAction, type PaneId } from "./ui-state.js";
