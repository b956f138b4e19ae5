import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixture, parseTranscript } from "../claude-code/replay-testing.js";
import { createCodexStreamParser, errorText, type CodexParserOptions } from "./codex-stream.js";
import { createRefusalReader } from "./codex-refusals.js";

const CWD = "/work/repo";

const parseFixture = (name: string, options: Partial<CodexParserOptions> = {}) =>
  parseTranscript(createCodexStreamParser({ cwd: CWD, ...options }), fixture(import.meta.url, name), {
    cwd: CWD,
    sessionId: "thread-1",
  });

describe("codex exec --json parser (recorded transcripts)", () => {
  it("maps a turn that applies a patch and runs a command", () => {
    const totals: unknown[] = [];
    const { events } = parseFixture("write.jsonl", { onTotals: (id, t) => totals.push([id, t]) });
    expect(events).toEqual([
      { type: "session", sessionId: "thread-1" },
      {
        type: "tool_call",
        id: "item_0",
        name: "apply_patch",
        input: { changes: [{ path: `${CWD}/hello.txt`, kind: "add" }] },
      },
      { type: "tool_result", id: "item_0", name: "apply_patch", output: `add ${CWD}/hello.txt`, isError: false },
      { type: "file_change", path: "hello.txt", kind: "write" },
      {
        type: "tool_call",
        id: "item_1",
        name: "bash",
        input: { command: "/bin/bash -lc 'git status --short; echo MOCK_BASH_RAN'" },
      },
      {
        type: "tool_result",
        id: "item_1",
        name: "bash",
        output: "?? hello.txt\n?? package.json\nMOCK_BASH_RAN\n",
        isError: false,
        exitCode: 0,
      },
      { type: "message", text: "All done." },
      { type: "usage", inputTokens: 90, outputTokens: 45 },
      { type: "done", summary: "All done." },
    ]);
    expect(totals).toEqual([["thread-1", { inputTokens: 90, outputTokens: 45 }]]);
  });

  it("reports a resumed turn's own usage, not the thread's totals", () => {
    const { events } = parseFixture("resume.jsonl", { previousTotals: { inputTokens: 90, outputTokens: 45 } });
    expect(events.find((e) => e.type === "usage")).toEqual({ type: "usage", inputTokens: 60, outputTokens: 30 });
  });

  it("fails at turn.failed with the API's message", () => {
    const { events, other } = parseFixture("turn-failed.jsonl");
    expect(events.at(-1)).toEqual({ type: "failed", reason: "Codex failed: prompt is too long" });
    expect(other.some((o) => o.kind === "text" && o.line.includes('"type":"error"'))).toBe(true);
  });

  it("does not fail on a transient error line or on warning items", () => {
    expect(parseFixture("reconnect.jsonl").events.at(-1)).toMatchObject({ type: "done" });
    const { events, other } = parseFixture("warnings.jsonl");
    expect(events.at(-1)).toEqual({ type: "done", summary: "nothing to do" });
    expect(other.filter((o) => o.kind === "text" && o.line.includes("Model metadata"))).toHaveLength(1);
  });

  it("is not done without turn.completed, and reports a truncated line as malformed", () => {
    expect(parseFixture("no-completion.jsonl").events.some((e) => e.type === "done")).toBe(false);
    const { other } = parseFixture("truncated.jsonl");
    expect(other).toEqual([
      expect.objectContaining({ kind: "invalid", error: expect.stringContaining("not valid JSON") }),
    ]);
    expect(createCodexStreamParser({ cwd: CWD })('{"thread_id":"x"}')).toMatchObject({ kind: "invalid" });
  });

  it("reports a failed command and a rejected patch as errors, without file changes", () => {
    const parse = createCodexStreamParser({ cwd: CWD });
    const line = (item: object) => JSON.stringify({ type: "item.completed", item });
    expect(
      parse(
        line({
          id: "c",
          type: "command_execution",
          command: "false",
          aggregated_output: "",
          exit_code: 1,
          status: "failed",
        }),
      ),
    ).toEqual({
      kind: "events",
      events: [
        { type: "tool_call", id: "c", name: "bash", input: { command: "false" } },
        { type: "tool_result", id: "c", name: "bash", output: "", isError: true, exitCode: 1 },
      ],
    });
    const patch = parse(
      line({ id: "p", type: "file_change", changes: [{ path: "/x/y", kind: "update" }], status: "failed" }),
    );
    expect(patch.kind === "events" && patch.events.map((e) => e.type)).toEqual(["tool_call", "tool_result"]);
  });

  it("reads the refusals Codex logs on stderr as permission requests", () => {
    const read = createRefusalReader();
    const line = readFileSync(fixture(import.meta.url, "refused.jsonl"), "utf8")
      .split("\n")
      .find((l) => l.startsWith("#stderr "))!
      .slice("#stderr ".length);
    expect(read(line)).toEqual([
      {
        type: "permission_request",
        id: "codex-refusal-1",
        tool: "apply_patch",
        input: {
          refusal: "patch rejected: writing is blocked by read-only sandbox; rejected by user approval settings",
        },
      },
    ]);
    const escalation =
      "2026-11-22T00:50:51.297186Z ERROR codex_core::tools::router: error=approval policy is Never; reject command — you cannot ask for escalated permissions if the approval policy is Never";
    expect(read(escalation)).toMatchObject([{ id: "codex-refusal-2", tool: "exec_command" }]);
    expect(read("Reading additional input from stdin...")).toEqual([]);
    expect(read("ERROR codex_core::tools::router: error=request_user_input is unavailable in Default mode")).toEqual(
      [],
    );
  });

  it("unwraps JSON error bodies", () => {
    expect(errorText('{"error":{"message":"rate limited"}}')).toBe("rate limited");
    expect(errorText("plain")).toBe("plain");
    expect(errorText(undefined)).toBe("no reason given");
  });
});
