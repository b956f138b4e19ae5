import { describe, expect, it } from "vitest";
import { fixture, parseTranscript } from "../claude-code/replay-testing.js";
import { createAmpStreamParser } from "./amp-stream.js";

const CWD = "/work/repo";
const THREAD = "T-7f3c2a91-4b6e-4d2f-9a81-2c5e8b0d4f17";

const parseFixture = (name: string) =>
  parseTranscript(createAmpStreamParser(CWD), fixture(import.meta.url, name), { cwd: CWD }).events;

describe("amp --stream-json parser (recorded transcripts)", () => {
  it("maps a turn that creates a file and runs a command, summing the messages' usage", () => {
    expect(parseFixture("write.jsonl")).toEqual([
      { type: "session", sessionId: THREAD },
      { type: "message", text: "I'll create hello.txt." },
      {
        type: "tool_call",
        id: "toolu_01WkQe3a",
        name: "create_file",
        input: { path: `${CWD}/hello.txt`, content: "hello from mock\n" },
      },
      {
        type: "tool_result",
        id: "toolu_01WkQe3a",
        name: "create_file",
        output: `Successfully created file ${CWD}/hello.txt`,
        isError: false,
      },
      { type: "file_change", path: "hello.txt", kind: "write" },
      {
        type: "tool_call",
        id: "toolu_01Bx7Rt2",
        name: "Bash",
        input: { cmd: "git status --short; echo MOCK_BASH_RAN" },
      },
      {
        type: "tool_result",
        id: "toolu_01Bx7Rt2",
        name: "Bash",
        output: '{"output":"?? hello.txt\\nMOCK_BASH_RAN\\n","exitCode":0}',
        isError: false,
      },
      { type: "message", text: "All done." },
      { type: "usage", inputTokens: 90, outputTokens: 45 },
      { type: "done", summary: "All done." },
    ]);
  });

  it("reports an edit as a file change", () => {
    expect(parseFixture("resume.jsonl")).toEqual(
      expect.arrayContaining([
        { type: "file_change", path: "hello.txt", kind: "edit" },
        { type: "usage", inputTokens: 185, outputTokens: 25 },
        { type: "done", summary: "Appended." },
      ]),
    );
  });

  it("fails an error result with Amp's error text", () => {
    expect(parseFixture("error-result.jsonl").at(-1)).toEqual({
      type: "failed",
      reason:
        "Amp failed (error_during_execution): Out of free credits. Add credits at https://ampcode.com/settings to continue.",
    });
  });

  it("turns permission denials (tool names) into permission requests", () => {
    const events = parseFixture("permission-denied.jsonl");
    expect(events.at(-1)).toEqual({ type: "permission_request", id: "denial-0", tool: "Bash" });
    expect(events.some((e) => e.type === "done")).toBe(false);
  });

  it("prefers a usage on the result line, and reads a line without a type as malformed", () => {
    const parse = createAmpStreamParser(CWD);
    const line =
      '{"type":"result","subtype":"success","is_error":false,"result":"ok","usage":{"input_tokens":7,"output_tokens":3}}';
    expect(parse(line)).toEqual({
      kind: "events",
      events: [
        { type: "usage", inputTokens: 7, outputTokens: 3 },
        { type: "done", summary: "ok" },
      ],
    });
    expect(parse('{"session_id":"T-1"}')).toMatchObject({ kind: "invalid" });
    expect(parse('{"type":"system","subtype":"api_retry"}')).toMatchObject({ kind: "text" });
  });
});
