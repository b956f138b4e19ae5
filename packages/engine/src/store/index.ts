export { createStore, type Store, type Tables, type WriteContext, type EventListener } from "./store.js";
export type { TaskPatch } from "./tasks-table.js";
export type { AnswerRun, RunPatch } from "./runs-table.js";
