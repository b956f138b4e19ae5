import { describe, expect, it } from "vitest";
import { createClaudeStreamParser } from "./claude-stream.js";
import { fixture, parseTranscript } from "./replay-testing.js";

const CWD = "/work/repo";

/** Parses a recorded transcript (directives skipped) into events and the other line kinds. */
const parseFixture = (name: string) =>
  parseTranscript(createClaudeStreamParser(CWD), fixture(import.meta.url, name), { cwd: CWD, sessionId: "sess-1" });

describe("claude stream-json parser (recorded transcripts)", () => {
  it("maps a turn that writes a file and runs bash", () => {
    const { events, other } = parseFixture("write.jsonl");
    expect(other).toEqual([]);
    expect(events.map((e) => e.type)).toEqual([
      "session",
      "tool_call",
      "tool_result",
      "file_change",
      "tool_call",
      "tool_result",
      "message",
      "usage",
      "done",
    ]);
    expect(events[0]).toEqual({ type: "session", sessionId: "sess-1" });
    expect(events[1]).toMatchObject({ type: "tool_call", name: "Write", input: { file_path: `${CWD}/hello.txt` } });
    expect(events[2]).toMatchObject({ type: "tool_result", name: "Write", isError: false });
    expect(events[3]).toEqual({ type: "file_change", path: "hello.txt", kind: "write" });
    expect(events[4]).toMatchObject({
      type: "tool_call",
      name: "Bash",
      input: { command: expect.stringContaining("git status") },
    });
    expect(events[5]).toMatchObject({
      type: "tool_result",
      name: "Bash",
      output: expect.stringContaining("MOCK_BASH_RAN"),
    });
    expect(events[6]).toEqual({ type: "message", text: "All done." });
    expect(events[7]).toEqual({ type: "usage", inputTokens: 300, outputTokens: 60, costUsd: 0.003 });
    expect(events[8]).toEqual({ type: "done", summary: "All done." });
  });

  it("reports an Edit as an edit of the file", () => {
    const { events } = parseFixture("edit.jsonl");
    expect(events).toContainEqual({ type: "file_change", path: "hello.txt", kind: "edit" });
  });

  it("ends a turn with permission denials as permission requests, not done", () => {
    const { events } = parseFixture("permission-denied.jsonl");
    expect(events.find((e) => e.type === "tool_result")).toMatchObject({
      isError: true,
      output: "This command requires approval",
    });
    expect(events.some((e) => e.type === "done")).toBe(false);
    expect(events.at(-1)).toEqual({
      type: "permission_request",
      id: expect.stringMatching(/^toolu_/),
      tool: "Bash",
      input: { command: 'node -e "console.log(1)"', description: "run it" },
    });
  });

  it("fails an error result with its reason and the HTTP status", () => {
    const { events } = parseFixture("error-result.jsonl");
    const failed = events.at(-1);
    expect(failed).toMatchObject({ type: "failed" });
    if (failed?.type === "failed") {
      expect(failed.reason).toContain("HTTP 400");
      expect(failed.reason).toContain("Prompt is too long");
    }
  });

  it("fails an aborted run (error_during_execution) with its errors", () => {
    const { events } = parseFixture("cancelled.jsonl");
    expect(events.at(-1)).toMatchObject({ type: "failed", reason: expect.stringContaining("error_during_execution") });
    expect(events.filter((e) => e.type === "tool_result")).toHaveLength(1);
  });

  it("reports a truncated line as malformed", () => {
    const { other } = parseFixture("truncated.jsonl");
    expect(other).toEqual([
      expect.objectContaining({ kind: "invalid", error: expect.stringContaining("not valid JSON") }),
    ]);
  });

  it("keeps raw text and unknown event types for the log; an object without a type is malformed", () => {
    const parse = createClaudeStreamParser(CWD);
    expect(parse("Warning: something")).toEqual({ kind: "text", line: "Warning: something" });
    const retry = '{"type":"system","subtype":"api_retry","attempt":1,"max_retries":10,"retry_delay_ms":561}';
    expect(parse(retry)).toEqual({ kind: "text", line: retry });
    expect(parse('{"type":"rate_limit_event"}').kind).toBe("text");
    expect(parse('{"session_id":"x"}')).toMatchObject({ kind: "invalid" });
    expect(parse("[1,2]")).toMatchObject({ kind: "text" });
  });

  it("does not report a file change for a tool use that failed or a path outside the worktree", () => {
    const parse = createClaudeStreamParser(CWD);
    const use = (id: string, path: string) =>
      JSON.stringify({
        type: "assistant",
        message: { content: [{ type: "tool_use", id, name: "Write", input: { file_path: path, content: "x" } }] },
      });
    const result = (id: string, isError: boolean) =>
      JSON.stringify({
        type: "user",
        message: {
          content: [
            { type: "tool_result", tool_use_id: id, is_error: isError, content: [{ type: "text", text: "r" }] },
          ],
        },
      });
    parse(use("a", `${CWD}/x.txt`));
    expect(parse(result("a", true))).toEqual({
      kind: "events",
      events: [{ type: "tool_result", id: "a", name: "Write", output: "r", isError: true }],
    });
    parse(use("b", "/etc/elsewhere"));
    expect(parse(result("b", false))).toMatchObject({ events: [{}, { type: "file_change", path: "/etc/elsewhere" }] });
  });
});
