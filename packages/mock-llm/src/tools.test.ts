import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deriveStep, findCwd, mapToolStep, promptText, type ToolSpec } from "./index.js";

const tool = (name: string, props: string[] = [], kind: ToolSpec["kind"] = "function"): ToolSpec => ({
  name,
  kind,
  props: Object.fromEntries(props.map((p) => [p, { type: "string" }])),
  required: [],
});
const CLAUDE = [
  tool("Bash", ["command", "timeout", "description"]),
  tool("Edit", ["file_path", "old_string", "new_string", "replace_all"]),
  tool("Write", ["file_path", "content"]),
];
const OPENCODE = [
  tool("bash", ["command", "timeout", "workdir", "description"]),
  tool("edit", ["filePath", "oldString", "newString"]),
  tool("write", ["content", "filePath"]),
];
const CODEX = [tool("exec_command", ["cmd", "workdir", "login"]), tool("apply_patch", [], "custom")];
const GOOSE = [
  tool("developer__shell", ["command"]),
  { ...tool("developer__text_editor", ["path", "command", "file_text", "old_str", "new_str"]) },
];
GOOSE[1]!.props.command = { type: "string", enum: ["view", "write", "str_replace", "undo_edit"] };

const write = { kind: "write", path: "src/a.txt", content: "one\ntwo\n" } as const;
const edit = { kind: "edit", path: "a.txt", find: "two", replace: "2" } as const;
const bash = { kind: "bash", command: "npm test" } as const;
const map = (step: Parameters<typeof mapToolStep>[0], tools: ToolSpec[], cwd: string | undefined = "/r") =>
  mapToolStep(step, tools, cwd, "id1");

describe("tool mapping", () => {
  it("uses Claude Code's, OpenCode's and Goose's argument names, with paths made absolute", () => {
    expect(map(write, CLAUDE)).toMatchObject({
      name: "Write",
      input: { file_path: "/r/src/a.txt", content: write.content },
    });
    expect(map(bash, CLAUDE)).toMatchObject({
      name: "Bash",
      input: { command: "npm test", description: "Run npm test" },
    });
    expect(map(edit, CLAUDE)).toMatchObject({ input: { file_path: "/r/a.txt", old_string: "two", new_string: "2" } });
    expect(map(write, OPENCODE)).toMatchObject({ name: "write", input: { filePath: "/r/src/a.txt" } });
    expect(map(edit, OPENCODE)).toMatchObject({ input: { filePath: "/r/a.txt", oldString: "two", newString: "2" } });
    expect(map(bash, OPENCODE)).toMatchObject({ input: { command: "npm test", workdir: "/r" } });
    expect(map(write, GOOSE)).toMatchObject({
      input: { command: "write", path: "/r/src/a.txt", file_text: write.content },
    });
    expect(map(edit, GOOSE)).toMatchObject({ input: { command: "str_replace", old_str: "two", new_str: "2" } });
    expect(map(bash, GOOSE)).toMatchObject({ name: "developer__shell", input: { command: "npm test" } });
  });

  it("keeps paths as given when the agent reported no cwd", () => {
    expect(mapToolStep(write, CLAUDE, undefined, "id1")).toMatchObject({ input: { file_path: "src/a.txt" } });
    expect(map({ ...write, path: "/abs/x" }, CLAUDE)).toMatchObject({ input: { file_path: "/abs/x" } });
  });

  it("writes Codex patches: Add File, and Update File on the whole lines around the match", () => {
    expect(map(write, CODEX)).toEqual({
      id: "id1",
      name: "apply_patch",
      kind: "custom",
      input: "*** Begin Patch\n*** Add File: src/a.txt\n+one\n+two\n*** End Patch\n",
    });
    const dir = mkdtempSync(join(tmpdir(), "mock-llm-patch-"));
    writeFileSync(join(dir, "a.txt"), "one\nthe two of us\nthree\n");
    expect(map(edit, CODEX, dir)).toMatchObject({
      input: "*** Begin Patch\n*** Update File: a.txt\n@@\n-the two of us\n+the 2 of us\n*** End Patch\n",
    });
    expect(map(bash, CODEX)).toMatchObject({ name: "exec_command", input: { cmd: "npm test", workdir: "/r" } });
  });

  it("passes an argv to a shell tool whose command is an array, and a patch to a function apply_patch", () => {
    const shell = { ...tool("shell", ["workdir"]), props: { command: { type: "array" }, workdir: {} } };
    expect(map(bash, [shell])).toMatchObject({ input: { command: ["bash", "-lc", "npm test"], workdir: "/r" } });
    expect(map(write, [tool("apply_patch", ["input"])])).toMatchObject({
      kind: "function",
      input: { input: expect.stringMatching(/^\*\*\* Begin Patch/) },
    });
  });

  it("falls back to the shell for a write, and explains when nothing fits", () => {
    const call = map({ ...write, content: "it's\n" }, [tool("bash", ["command"])]);
    expect(call).toMatchObject({
      input: { command: "mkdir -p '/r/src' && printf '%s' 'it'\\''s\n' > '/r/src/a.txt'" },
    });
    expect(map(edit, [tool("Read")])).toEqual({ error: expect.stringMatching(/no tool for a edit step.*\(Read\)/) });
  });

  it("passes a raw call through, as text for a freeform tool", () => {
    expect(map({ kind: "call", name: "Read", input: { file_path: "/x" } }, CLAUDE)).toEqual({
      id: "id1",
      name: "Read",
      kind: "function",
      input: { file_path: "/x" },
    });
    expect(map({ kind: "call", name: "apply_patch", input: "*** Begin Patch" }, CODEX)).toMatchObject({
      kind: "custom",
      input: "*** Begin Patch",
    });
  });
});

describe("conversation", () => {
  it("keeps only what a person typed", () => {
    expect(promptText(["<system-reminder>\ndate\n</system-reminder>\n", "Fix <b>it</b>"])).toBe("Fix <b>it</b>");
    expect(promptText(["<environment_context>\n  <cwd>/r</cwd>\n</environment_context>"])).toBeUndefined();
    expect(promptText(["# AGENTS.md instructions for /r\n\n<INSTRUCTIONS>x</INSTRUCTIONS>"])).toBeUndefined();
  });

  it("counts the tool results after the last user prompt", () => {
    const items = [
      { role: "user", text: "one" },
      { role: "assistant" },
      { role: "tool_result", text: "r1" },
      { role: "user", text: "two" },
      { role: "assistant" },
      { role: "tool_result", text: "r2" },
      { role: "assistant" },
      { role: "tool_result", text: "r3" },
    ] as const;
    expect(deriveStep(items)).toEqual({ step: 2, lastUserText: "two", lastToolResult: "r3" });
    expect(deriveStep([])).toEqual({ step: 0, lastUserText: "" });
  });

  it("finds the cwd each agent reports", () => {
    expect(findCwd("# Environment\n - Primary working directory: /a/b\n - Is a git repository: true")).toBe("/a/b");
    expect(findCwd("<env>\n  Working directory: /c\n</env>")).toBe("/c");
    expect(findCwd("<cwd>/old</cwd> … <cwd>/new</cwd>")).toBe("/new");
    expect(findCwd("nothing here")).toBeUndefined();
  });
});
