import { useEffect, useMemo, useReducer, useRef, useState } from "react";
import { Box, Text, useApp, useInput } from "ink";
import type { FlotillaClient } from "@flotilla/client";
import { Header } from "./components/header.js";
import { StatusLine } from "./components/banner.js";
import { TaskDetail } from "./components/task-detail.js";
import { SettingsPanel, flattenConfig } from "./components/settings-panel.js";
import { ConfigEditor } from "./components/config-editor.js";
import { AnswerPrompt } from "./components/answer-prompt.js";
import { commandFor } from "./keymap.js";
import { MainScreen } from "./main-screen.js";
import { activeAgents, boardGroups, progressOf, visibleTasks } from "./selectors.js";
import { isTaskCommand, runTaskCommand } from "./task-actions.js";
import { initialUiState, nextProject, uiReduce, type Banner, type PaneId } from "./ui-state.js";
import { messageOf, useViewState } from "./use-view-state.js";
import { useConfigEditor } from "./use-config-editor.js";
import { useAnswerPrompt } from "./use-answer-prompt.js";
import { useTerminalSize, type Size } from "./use-terminal-size.js";

export interface AppProps {
  client: FlotillaClient;
  /** Show this project first (id, name or path); all projects otherwise. */
  project?: string;
  /** Where the data comes from, for the header (e.g. "daemon http://…" or "in-process"). */
  source?: string;
  throttleMs?: number;
  /** A fixed size (tests); the terminal's, following resizes, otherwise. */
  size?: Size;
}

/** The whole TUI: the live view state, the keymap, and the screen in front. */
export function App({ client, project, source = "in-process", throttleMs = 100, size: fixed }: AppProps) {
  const { exit } = useApp();
  const size = useTerminalSize(fixed);
  const live = useViewState(client, throttleMs);
  const [ui, dispatch] = useReducer(uiReduce, undefined, () => initialUiState());
  const [config, setConfig] = useState<{ value?: unknown; error?: string }>({});
  const [resolved, setResolved] = useState(project === undefined);
  const state = live.state;
  const banner = (b: Banner) => dispatch({ type: "banner", banner: b });
  const loadConfig = (projectId: string | undefined) => {
    setConfig({});
    client.config(projectId).then(
      (value) => setConfig({ value }),
      (err: unknown) => setConfig({ error: messageOf(err) }),
    );
  };
  const editing = useConfigEditor(client, banner, () => loadConfig(latest.current.ui.projectId));
  const answering = useAnswerPrompt(client, banner);

  useEffect(() => {
    if (resolved || !state) return;
    setResolved(true);
    const p = Object.values(state.projects).find((x) => x.id === project || x.name === project || x.path === project);
    if (p) dispatch({ type: "project", projectId: p.id });
    else dispatch({ type: "banner", banner: { tone: "error", text: `no project "${project}"; showing all` } });
  }, [state, project, resolved]);

  const view = useMemo(() => {
    if (!state) return undefined;
    const tasks = visibleTasks(state, ui.projectId);
    const ids = new Set(tasks.map((t) => t.id));
    const groups = boardGroups(tasks);
    const agents = activeAgents(tasks);
    const queue = state.mergeQueue.taskIds.flatMap((id) => (ids.has(id) && state.tasks[id] ? [state.tasks[id]] : []));
    const inbox = state.needsYou.filter((n) => ids.has(n.taskId));
    const lists: Record<PaneId, string[]> = {
      board: groups.flatMap((g) => g.tasks.map((t) => t.id)),
      agents: agents.map((t) => t.id),
      queue: queue.map((t) => t.id),
      inbox: inbox.map((n) => n.taskId),
    };
    return { tasks, groups, agents, queue, inbox, lists };
  }, [state, ui.projectId]);

  const pick = (pane: PaneId) => {
    const list = view?.lists[pane] ?? [];
    return list[Math.min(ui.cursor[pane], list.length - 1)];
  };
  const selected = { board: pick("board"), agents: pick("agents"), queue: pick("queue"), inbox: pick("inbox") };
  const current = ui.screen === "detail" ? ui.detailTaskId : selected[ui.focus];

  // Keys read the latest render's values (a key can arrive before Ink re-binds the handler).
  const latest = useRef({ view, state, ui, current, config });
  latest.current = { view, state, ui, current, config };
  useInput((input, key) => {
    // An open input (an answer, the config editor) takes every key.
    if (answering.handleKey(input, key)) return;
    if (latest.current.ui.screen === "settings" && editing.handleKey(input, key)) return;
    const command = commandFor(input, key);
    if (!command) return;
    const { view, state, ui, current, config } = latest.current;
    if (command === "quit") return exit();
    if (command === "back") return dispatch({ type: "back" });
    if (command === "down" || command === "up" || command === "top" || command === "bottom") {
      const by = command === "down" ? 1 : command === "up" ? -1 : command;
      const lengths = { board: 0, agents: 0, queue: 0, inbox: 0, ...mapLengths(view?.lists) };
      const contentLength =
        ui.screen === "detail"
          ? (state?.output[ui.detailTaskId ?? ""]?.length ?? 0)
          : ui.screen === "settings"
            ? flattenConfig(config.value ?? {}).length
            : 0;
      return dispatch({ type: "move", by, lengths, contentLength });
    }
    if (command === "nextPane" || command === "prevPane")
      return dispatch({ type: "focus", by: command === "nextPane" ? 1 : -1 });
    if (command === "open") {
      if (ui.screen === "main" && current !== undefined) dispatch({ type: "open", taskId: current });
      return;
    }
    if (command === "project") {
      const next = nextProject(Object.keys(state?.projects ?? {}), ui.projectId);
      return dispatch({ type: "project", projectId: next });
    }
    if (command === "settings") {
      dispatch({ type: "settings" });
      loadConfig(ui.projectId);
      return;
    }
    if (command === "edit" || command === "editGlobal") {
      // e: the shown project's own file (the global one when all projects are shown); E: the global one.
      const project = command === "edit" && ui.projectId !== undefined ? state?.projects[ui.projectId] : undefined;
      if (ui.screen !== "settings") {
        dispatch({ type: "settings" });
        loadConfig(ui.projectId);
      }
      if (project) editing.open({ scope: "project", project: project.id }, project.name);
      else editing.open({ scope: "global" }, "global");
      return;
    }
    const task = current !== undefined ? state?.tasks[current] : undefined;
    if (command === "answer" || isTaskCommand(command)) {
      if (!task) return banner({ tone: "error", text: "no task selected" });
      if (command === "answer") return answering.open(task);
      banner({ tone: "info", text: `${command} ${task.id}…` });
      runTaskCommand(client, command, task).then(banner, (err: unknown) =>
        banner({ tone: "error", text: `${command} ${task.id}: ${messageOf(err)}` }),
      );
    }
  });

  const width = size.columns;
  // One row short of the terminal: Ink then redraws in place instead of clearing the screen.
  const height = Math.max(10, size.rows - 1);
  if (!state || !view) {
    return (
      <Box flexDirection="column" width={width}>
        <Text bold color="cyan">
          flotilla
        </Text>
        {live.error !== undefined ? (
          <Text color="red">✗ cannot load: {live.error}</Text>
        ) : (
          <Text color="gray">loading…</Text>
        )}
        <Text color="gray">q quits</Text>
      </Box>
    );
  }
  const projectCount = Object.keys(state.projects).length;
  const projectLabel = ui.projectId !== undefined ? (state.projects[ui.projectId]?.name ?? ui.projectId) : "all";
  // The answer input takes two rows above the status line.
  const body = height - 3 - (answering.prompt ? 2 : 0);
  const shown = ui.banner ?? (live.error !== undefined ? { tone: "error" as const, text: live.error } : undefined);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Header
        projectLabel={projectLabel}
        projectCount={projectCount}
        progress={progressOf(view.tasks)}
        width={width}
        source={source}
      />
      {ui.screen === "main" ? (
        <MainScreen state={state} {...view} focus={ui.focus} selected={selected} width={width} height={body} />
      ) : ui.screen === "detail" ? (
        <TaskDetail
          task={ui.detailTaskId !== undefined ? state.tasks[ui.detailTaskId] : undefined}
          runs={(state.runsByTask[ui.detailTaskId ?? ""] ?? []).flatMap((id) =>
            state.runs[id] ? [state.runs[id]] : [],
          )}
          lines={state.output[ui.detailTaskId ?? ""] ?? []}
          width={width}
          height={body}
          scroll={ui.scroll}
        />
      ) : editing.editor ? (
        <ConfigEditor editor={editing.editor} width={width} height={body} />
      ) : (
        <SettingsPanel
          config={config.value}
          error={config.error}
          scopeLabel={projectLabel === "all" ? "global" : projectLabel}
          width={width}
          height={body}
          scroll={ui.scroll}
        />
      )}
      {answering.prompt ? <AnswerPrompt prompt={answering.prompt} width={width} /> : null}
      <StatusLine banner={shown} width={width} />
    </Box>
  );
}

function mapLengths(lists: Record<PaneId, string[]> | undefined): Partial<Record<PaneId, number>> {
  if (!lists) return {};
  return {
    board: lists.board.length,
    agents: lists.agents.length,
    queue: lists.queue.length,
    inbox: lists.inbox.length,
  };
}
