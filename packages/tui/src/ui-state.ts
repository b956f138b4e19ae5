/**
 * What the person is looking at (screen, focused pane, cursors, banner). Pure: the task data
 * itself lives only in the client's ViewState.
 */

export type PaneId = "board" | "agents" | "queue" | "inbox";
export const PANES: readonly PaneId[] = ["board", "agents", "queue", "inbox"];

export type Screen = "main" | "detail" | "settings";

export interface Banner {
  text: string;
  tone: "info" | "error";
}

export interface UiState {
  screen: Screen;
  focus: PaneId;
  cursor: Readonly<Record<PaneId, number>>;
  /** The task the detail screen shows. */
  detailTaskId?: string;
  /** The project whose tasks are shown; undefined: all projects. */
  projectId?: string;
  banner?: Banner;
  /** Detail: lines scrolled back from the log's end. Settings: the first line shown. */
  scroll: number;
}

export type UiAction =
  | {
      type: "move";
      by: number | "top" | "bottom";
      lengths: Readonly<Record<PaneId, number>>;
      /** Lines of the detail log or the settings (how far they scroll). */
      contentLength?: number;
    }
  | { type: "focus"; by: 1 | -1 }
  | { type: "open"; taskId: string }
  | { type: "settings" }
  | { type: "back" }
  | { type: "project"; projectId: string | undefined }
  | { type: "banner"; banner: Banner | undefined };

export function initialUiState(projectId?: string): UiState {
  return {
    screen: "main",
    focus: "board",
    cursor: { board: 0, agents: 0, queue: 0, inbox: 0 },
    ...(projectId !== undefined ? { projectId } : {}),
    scroll: 0,
  };
}

export function uiReduce(ui: UiState, action: UiAction): UiState {
  switch (action.type) {
    case "move": {
      if (ui.screen !== "main") {
        // The detail log counts from its end (0: follow the tail); the settings from the top.
        const max = Math.max(0, action.contentLength ?? 0);
        const down = ui.screen === "detail" ? -1 : 1;
        const raw =
          typeof action.by === "number"
            ? ui.scroll + action.by * down
            : (action.by === "top") === (ui.screen === "detail")
              ? max
              : 0;
        return { ...ui, scroll: Math.max(0, Math.min(max, raw)) };
      }
      const length = action.lengths[ui.focus];
      const at = ui.cursor[ui.focus];
      const raw = action.by === "top" ? 0 : action.by === "bottom" ? length - 1 : at + action.by;
      const next = Math.max(0, Math.min(length - 1, raw));
      return { ...ui, cursor: { ...ui.cursor, [ui.focus]: next } };
    }
    case "focus": {
      if (ui.screen !== "main") return ui;
      const i = PANES.indexOf(ui.focus);
      const focus = PANES[(i + action.by + PANES.length) % PANES.length] ?? "board";
      return { ...ui, focus };
    }
    case "open":
      return { ...ui, screen: "detail", detailTaskId: action.taskId, scroll: 0 };
    case "settings":
      return { ...ui, screen: "settings", scroll: 0 };
    case "back": {
      if (ui.screen === "main") {
        const { banner: _gone, ...rest } = ui;
        return rest;
      }
      const { detailTaskId: _gone, ...rest } = ui;
      return { ...rest, screen: "main", scroll: 0 };
    }
    case "project": {
      const { projectId: _old, ...rest } = ui;
      const cursor = { board: 0, agents: 0, queue: 0, inbox: 0 };
      return action.projectId !== undefined ? { ...rest, cursor, projectId: action.projectId } : { ...rest, cursor };
    }
    case "banner": {
      const { banner: _old, ...rest } = ui;
      return action.banner ? { ...rest, banner: action.banner } : rest;
    }
  }
}

/** The project after `current` in `ids`, then "all" (undefined), then the first again. */
export function nextProject(ids: readonly string[], current: string | undefined): string | undefined {
  if (ids.length === 0) return undefined;
  if (current === undefined) return ids[0];
  const i = ids.indexOf(current);
  return i < 0 || i + 1 >= ids.length ? undefined : ids[i + 1];
}
