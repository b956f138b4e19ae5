import { dirname, isAbsolute, resolve } from "node:path";
import { addFilePatch, shellQuote, updateFilePatch } from "./patch.js";
import type { ToolStep } from "./script.js";
import type { ToolCall, ToolSpec } from "./types.js";

/**
 * Tool mapping: an abstract step (`write`, `bash`, `edit`, raw `call`) becomes a call of a tool the
 * request lists, with that tool's own argument names:
 * Claude Code `Write{file_path,content}` `Bash{command,description}` `Edit{file_path,old_string,new_string}`;
 * OpenCode `write{filePath,content}` `bash{command,description}` `edit{filePath,oldString,newString}`;
 * Codex `apply_patch` (freeform) and `exec_command{cmd,workdir}` or `shell{command:[…]}`;
 * Goose-style `developer__text_editor` / `developer__shell`.
 */

const WRITE_TOOLS = ["write", "write_file", "create_file", "writefile"];
const EDIT_TOOLS = ["edit", "edit_file", "str_replace", "replace"];
const EDITOR_TOOLS = ["str_replace_based_edit_tool", "str_replace_editor", "developer__text_editor", "text_editor"];
const SHELL_TOOLS = [
  "bash",
  "exec_command",
  "shell",
  "shell_command",
  "local_shell",
  "run_shell_command",
  "developer__shell",
  "execute_command",
  "run_terminal_cmd",
];
const PATH_KEYS = ["file_path", "filePath", "path", "absolute_path", "filename", "file"];
const CONTENT_KEYS = ["content", "file_text", "contents", "text"];
const OLD_KEYS = ["old_string", "oldString", "old_str", "old_text", "find", "search"];
const NEW_KEYS = ["new_string", "newString", "new_str", "new_text", "replace", "replacement"];
const COMMAND_KEYS = ["command", "cmd"];
const WORKDIR_KEYS = ["workdir", "cwd", "working_directory", "directory"];

function findTool(tools: readonly ToolSpec[], names: readonly string[]): ToolSpec | undefined {
  for (const name of names) {
    const tool = tools.find((t) => t.name.toLowerCase() === name);
    if (tool) return tool;
  }
  return undefined;
}

/** The first candidate the tool's schema has; the first candidate when the schema says nothing. */
function key(tool: ToolSpec, candidates: readonly string[]): string {
  return candidates.find((k) => k in tool.props) ?? candidates[0]!;
}

function optionalKey(tool: ToolSpec, candidates: readonly string[]): string | undefined {
  return candidates.find((k) => k in tool.props);
}

function editorCommand(tool: ToolSpec, wanted: readonly string[]): string {
  const values = tool.props.command?.enum;
  const allowed = Array.isArray(values) ? (values as unknown[]) : [];
  return wanted.find((w) => allowed.includes(w)) ?? wanted[0]!;
}

function call(id: string, tool: ToolSpec, input: Record<string, unknown> | string): ToolCall {
  if (tool.kind === "custom") return { id, name: tool.name, kind: "custom", input: patchText(input) };
  const args = typeof input === "string" ? { input } : input;
  if (tool.kind === "tool_search") return { id, name: "tool_search", kind: "tool_search", input: args };
  return {
    id,
    name: tool.name,
    kind: "function",
    input: args,
    ...(tool.namespace ? { namespace: tool.namespace } : {}),
  };
}

/**
 * A namespace child's full name, as a script's `call` gives it: Codex's MCP namespace `mcp__flotilla`
 * with `report_progress` is `mcp__flotilla__report_progress`; a child named `_create_event` of
 * `mcp__codex_apps__calendar` is appended as it is.
 */
export function namespacedName(namespace: string, name: string): string {
  return namespace.endsWith("_") || name.startsWith("_") ? namespace + name : `${namespace}__${name}`;
}

function fullNames(tool: ToolSpec): string[] {
  return tool.namespace === undefined ? [tool.name] : [namespacedName(tool.namespace, tool.name)];
}

function patchText(input: Record<string, unknown> | string): string {
  return typeof input === "string" ? input : JSON.stringify(input);
}

function applyPatch(id: string, tool: ToolSpec, patch: string): ToolCall {
  return call(id, tool, tool.kind === "custom" ? patch : { [key(tool, ["input", "patch"])]: patch });
}

function shell(id: string, tool: ToolSpec, command: string, cwd: string | undefined, why: string): ToolCall {
  const commandKey = key(tool, COMMAND_KEYS);
  const wantsArgv = tool.props[commandKey]?.type === "array";
  const input: Record<string, unknown> = { [commandKey]: wantsArgv ? ["bash", "-lc", command] : command };
  const workdirKey = optionalKey(tool, WORKDIR_KEYS);
  if (workdirKey && cwd) input[workdirKey] = cwd;
  if ("description" in tool.props) input.description = why;
  return call(id, tool, input);
}

/** A tool call for `step` among `tools`, or why there is none. */
export function mapToolStep(
  step: ToolStep,
  tools: readonly ToolSpec[],
  cwd: string | undefined,
  id: string,
): ToolCall | { error: string } {
  const abs = (p: string) => (isAbsolute(p) || !cwd ? p : resolve(cwd, p));
  const sh = findTool(tools, SHELL_TOOLS);
  const patcher = findTool(tools, ["apply_patch"]);
  switch (step.kind) {
    case "bash":
      if (sh) return shell(id, sh, step.command, cwd, describe(step.command));
      break;
    case "write": {
      const w = findTool(tools, WRITE_TOOLS);
      if (w) return call(id, w, { [key(w, PATH_KEYS)]: abs(step.path), [key(w, CONTENT_KEYS)]: step.content });
      const ed = findTool(tools, EDITOR_TOOLS);
      if (ed) {
        const command = editorCommand(ed, ["create", "write"]);
        return call(id, ed, { command, [key(ed, PATH_KEYS)]: abs(step.path), [key(ed, CONTENT_KEYS)]: step.content });
      }
      if (patcher) return applyPatch(id, patcher, addFilePatch(step.path, step.content));
      if (sh) {
        const p = shellQuote(abs(step.path));
        const command = `mkdir -p ${shellQuote(dirname(abs(step.path)))} && printf '%s' ${shellQuote(step.content)} > ${p}`;
        return shell(id, sh, command, cwd, `Write ${step.path}`);
      }
      break;
    }
    case "edit": {
      const e = findTool(tools, EDIT_TOOLS) ?? findTool(tools, EDITOR_TOOLS);
      if (e) {
        const input: Record<string, unknown> = { [key(e, PATH_KEYS)]: abs(step.path) };
        if (EDITOR_TOOLS.includes(e.name.toLowerCase())) input.command = editorCommand(e, ["str_replace"]);
        input[key(e, OLD_KEYS)] = step.find;
        input[key(e, NEW_KEYS)] = step.replace;
        return call(id, e, input);
      }
      if (patcher) return applyPatch(id, patcher, updateFilePatch(step.path, abs(step.path), step.find, step.replace));
      break;
    }
    case "call": {
      const listed = tools.find((t) => fullNames(t).includes(step.name));
      return call(id, listed ?? { name: step.name, kind: "function", props: {}, required: [] }, step.input);
    }
  }
  const names = tools.map((t) => t.name).join(", ") || "none";
  return { error: `mock-llm: no tool for a ${step.kind} step among the request's tools (${names})` };
}

function describe(command: string): string {
  const first = command.split("\n")[0] ?? command;
  return `Run ${first.length > 60 ? `${first.slice(0, 57)}...` : first}`;
}
