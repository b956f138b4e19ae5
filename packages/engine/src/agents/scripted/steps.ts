import type { AgentEvent, ScriptBaseStep, ScriptStep } from "@flotilla/protocol";
import { StepFailure, appendStep, deleteStep, replaceStep, writeStep } from "./file-steps.js";

export interface ShellResult {
  exitCode: number;
  /** stdout and stderr interleaved, capped to a tail. */
  output: string;
}

/** What the steps need from the agent program: its stdout and its way of starting processes. */
export interface StepHost {
  cwd: string;
  emit(event: AgentEvent): Promise<void>;
  printLines(text: string, times: number): Promise<void>;
  /** `/bin/sh -c cmd` in cwd, waited for; `detached` puts it in a process group of its own. */
  runShell(cmd: string, detached: boolean): Promise<ShellResult>;
  /** `git add -A && git commit -m message` in cwd, as the scripted agent's identity. */
  gitCommit(message: string): Promise<ShellResult>;
  /** Tools a person allowed for the rest of the task: a `permission` step for one of them does not ask. */
  allowedTools?: ReadonlySet<string>;
  /** Calls a tool of Flotilla's MCP server for this run (the `mcp` step); absent: the step fails. */
  callMcp?(tool: string, input: Record<string, unknown>): Promise<McpCallResult>;
}

/** An MCP tool call's result: its text content, and whether it (or the call) failed. */
export interface McpCallResult {
  isError: boolean;
  output: string;
}

/** How a turn ended: done, waiting for a person (ask/permission), failed, or exit at once. */
export type TurnEnd =
  | { kind: "done"; summary?: string }
  | { kind: "waiting" }
  | { kind: "failed"; reason: string }
  | { kind: "exit"; code: number };

/** Runs one turn's steps in order. Never throws: a failing step ends the turn as failed. */
export async function runTurnSteps(
  steps: readonly ScriptStep[],
  host: StepHost,
  progress: { skip?: number; onStepDone?: (completed: number) => void } = {},
): Promise<TurnEnd> {
  const state: RunState = { host, nextId: 1, said: undefined };
  try {
    for (const [index, step] of steps.entries()) {
      if (index < (progress.skip ?? 0)) continue;
      const end = "repeat" in step ? await runRepeat(step.repeat, state) : await runStep(step, state);
      if (end) return end;
      progress.onStepDone?.(index + 1);
    }
  } catch (e) {
    if (e instanceof StepFailure) return { kind: "failed", reason: e.message };
    return { kind: "failed", reason: `scripted agent error: ${e instanceof Error ? e.message : String(e)}` };
  }
  return { kind: "done", ...(state.said !== undefined ? { summary: state.said } : {}) };
}

interface RunState {
  host: StepHost;
  nextId: number;
  /** The last `say`: the turn's summary. */
  said: string | undefined;
}

async function runRepeat(
  spec: { times?: number; steps: ScriptBaseStep[] },
  state: RunState,
): Promise<TurnEnd | undefined> {
  for (let i = 0; spec.times === undefined || i < spec.times; i++) {
    for (const step of spec.steps) {
      const end = await runStep(step, state);
      if (end) return end;
    }
  }
  return undefined;
}

async function runStep(step: ScriptBaseStep, state: RunState): Promise<TurnEnd | undefined> {
  const end = await execute(step, state);
  // Yield to the event loop between steps: a tight `repeat` must still see SIGINT.
  await new Promise<void>((r) => setImmediate(r));
  return end;
}

async function execute(step: ScriptBaseStep, state: RunState): Promise<TurnEnd | undefined> {
  const { host } = state;
  const id = () => `t${state.nextId++}`;
  const call = (name: string, input: unknown) => host.emit({ type: "tool_call", id: id(), name, input });
  if ("write" in step) {
    await call("write", { path: step.write.path });
    await writeStep(host.cwd, step.write.path, step.write.content);
    await host.emit({ type: "file_change", path: step.write.path, kind: "write" });
  } else if ("append" in step) {
    await call("append", { path: step.append.path });
    await appendStep(host.cwd, step.append.path, step.append.content);
    await host.emit({ type: "file_change", path: step.append.path, kind: "append" });
  } else if ("replace" in step) {
    const { path, find, with: replacement, all } = step.replace;
    await call("replace", { path, find, all: all ?? false });
    await replaceStep(host.cwd, path, find, replacement, all ?? false);
    await host.emit({ type: "file_change", path, kind: "edit" });
  } else if ("delete" in step) {
    await call("delete", { path: step.delete.path });
    await deleteStep(host.cwd, step.delete.path);
    await host.emit({ type: "file_change", path: step.delete.path, kind: "delete" });
  } else if ("run" in step) {
    return runCommandStep(step.run, state);
  } else if ("sleep" in step) {
    await new Promise<void>((r) => setTimeout(r, step.sleep.ms));
  } else if ("say" in step) {
    state.said = step.say.text;
    await host.emit({ type: "message", text: step.say.text });
  } else if ("ask" in step) {
    await host.emit({ type: "question", id: `q${state.nextId++}`, question: step.ask.question });
    return { kind: "waiting" };
  } else if ("permission" in step) {
    const { tool, input } = step.permission;
    if (host.allowedTools?.has(tool)) {
      // Allowed already (approved "always"): use the tool without asking, as a real agent would.
      await call(tool, input);
      return undefined;
    }
    await host.emit({
      type: "permission_request",
      id: `p${state.nextId++}`,
      tool,
      ...(input !== undefined ? { input } : {}),
    });
    return { kind: "waiting" };
  } else if ("tool" in step) {
    await call(step.tool.name, step.tool.input);
  } else if ("usage" in step) {
    await host.emit({ type: "usage", ...step.usage });
  } else if ("commit" in step) {
    return commitStep(step.commit.message, state);
  } else if ("review" in step) {
    await host.emit({ type: "review", verdict: step.review.verdict, comments: step.review.comments });
  } else if ("fail" in step) {
    return { kind: "failed", reason: step.fail.message.trim() || "the script failed the turn" };
  } else if ("exit" in step) {
    return { kind: "exit", code: step.exit.code };
  } else if ("hang" in step) {
    // A timer keeps the event loop alive; only a signal ends the agent now.
    await new Promise<never>(() => setInterval(() => undefined, 1 << 30));
  } else if ("print" in step) {
    await host.printLines(step.print.text, step.print.times ?? 1);
  } else if ("mcp" in step) {
    return mcpStep(step.mcp, state);
  } else {
    const unknown: never = step;
    throw new StepFailure(`unknown step ${JSON.stringify(unknown)}`);
  }
  return undefined;
}

async function runCommandStep(
  spec: { cmd: string; detached?: boolean; allowFailure?: boolean },
  state: RunState,
): Promise<TurnEnd | undefined> {
  const id = `t${state.nextId++}`;
  await state.host.emit({ type: "tool_call", id, name: "bash", input: { command: spec.cmd } });
  const result = await state.host.runShell(spec.cmd, spec.detached ?? false);
  const isError = result.exitCode !== 0;
  await state.host.emit({
    type: "tool_result",
    id,
    name: "bash",
    output: result.output,
    isError,
    exitCode: result.exitCode,
  });
  if (isError && !spec.allowFailure) {
    return { kind: "failed", reason: `command failed with exit code ${result.exitCode}: ${spec.cmd}` };
  }
  return undefined;
}

/** `mcp`: a call of Flotilla's MCP server, reported as `mcp__flotilla__<tool>` with its result. */
async function mcpStep(
  spec: { tool: string; input?: Record<string, unknown>; allowFailure?: boolean },
  state: RunState,
): Promise<TurnEnd | undefined> {
  const id = `t${state.nextId++}`;
  const name = `mcp__flotilla__${spec.tool}`;
  const input = spec.input ?? {};
  await state.host.emit({ type: "tool_call", id, name, input });
  const result = state.host.callMcp
    ? await state.host.callMcp(spec.tool, input)
    : { isError: true, output: "this agent has no MCP client" };
  await state.host.emit({ type: "tool_result", id, name, output: result.output, isError: result.isError });
  if (result.isError && !spec.allowFailure)
    return { kind: "failed", reason: `mcp ${spec.tool} failed: ${result.output}` };
  return undefined;
}

async function commitStep(message: string, state: RunState): Promise<TurnEnd | undefined> {
  const id = `t${state.nextId++}`;
  await state.host.emit({ type: "tool_call", id, name: "git_commit", input: { message } });
  const result = await state.host.gitCommit(message);
  const isError = result.exitCode !== 0;
  await state.host.emit({
    type: "tool_result",
    id,
    name: "git_commit",
    output: result.output,
    isError,
    exitCode: result.exitCode,
  });
  if (isError)
    return { kind: "failed", reason: `git commit failed with exit code ${result.exitCode}: ${tail(result.output)}` };
  return undefined;
}

function tail(text: string, max = 500): string {
  const t = text.trim();
  return t.length > max ? `…${t.slice(-max)}` : t;
}
