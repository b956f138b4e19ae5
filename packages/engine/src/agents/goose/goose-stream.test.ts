import { describe, expect, it } from "vitest";
import { fixture, parseTranscript } from "../claude-code/replay-testing.js";
import { createGooseStreamParser } from "./goose-stream.js";

const CWD = "/work/repo";

const parseFixture = (name: string) =>
  parseTranscript(createGooseStreamParser(CWD), fixture(import.meta.url, name), { cwd: CWD });

describe("goose run --output-format stream-json parser (recorded transcripts)", () => {
  it("maps a turn that writes a file and runs a shell command", () => {
    const { events, other } = parseFixture("write.jsonl");
    expect(events).toEqual([
      { type: "message", text: "I'll create hello.txt, then check the repository status." },
      {
        type: "tool_call",
        id: "call_wr1",
        name: "developer__text_editor",
        input: { command: "write", path: `${CWD}/hello.txt`, file_text: "hello from mock\n" },
      },
      {
        type: "tool_result",
        id: "call_wr1",
        name: "developer__text_editor",
        output: `Successfully wrote to ${CWD}/hello.txt`,
        isError: false,
      },
      { type: "file_change", path: "hello.txt", kind: "write" },
      {
        type: "tool_call",
        id: "call_sh1",
        name: "developer__shell",
        input: { command: "git status --short; echo MOCK_BASH_RAN" },
      },
      {
        type: "tool_result",
        id: "call_sh1",
        name: "developer__shell",
        output: "?? hello.txt\nMOCK_BASH_RAN\n",
        isError: false,
      },
      { type: "message", text: "All done." },
      { type: "usage", inputTokens: 2310, outputTokens: 0 },
      { type: "done", summary: "All done." },
    ]);
    expect(other).toEqual([{ kind: "text", line: expect.stringContaining('"type":"notification"') }]);
  });

  it("reports a failed tool call as an error result, without a file change", () => {
    const { events, other } = parseFixture("tool-error.jsonl");
    expect(events.filter((e) => e.type === "tool_result")).toEqual([
      {
        type: "tool_result",
        id: "call_ed6",
        name: "developer__text_editor",
        output: expect.stringContaining("does not exist"),
        isError: true,
      },
    ]);
    expect(events.some((e) => e.type === "file_change")).toBe(false);
    expect(events.at(-1)).toEqual({ type: "done", summary: "missing.txt does not exist; nothing to change." });
    expect(other).toEqual([{ kind: "text", line: expect.stringContaining('"type":"model_change"') }]);
  });

  it("fails at an error event, and is not done at the complete that follows it", () => {
    const { events } = parseFixture("provider-error.jsonl");
    expect(events).toEqual([{ type: "failed", reason: expect.stringMatching(/^Goose failed: Authentication error/) }]);
  });

  it("maps a streamed confirmation or elicitation to a request for a person", () => {
    const parse = createGooseStreamParser(CWD);
    const line = (data: object) =>
      JSON.stringify({ type: "message", message: { role: "assistant", content: [{ type: "actionRequired", data }] } });
    expect(
      parse(
        line({
          actionType: "toolConfirmation",
          id: "c1",
          toolName: "developer__shell",
          arguments: { command: "rm -rf x" },
        }),
      ),
    ).toEqual({
      kind: "events",
      events: [{ type: "permission_request", id: "c1", tool: "developer__shell", input: { command: "rm -rf x" } }],
    });
    expect(parse(line({ actionType: "elicitation", id: "e1", message: "Which port?", requested_schema: {} }))).toEqual({
      kind: "events",
      events: [{ type: "question", id: "e1", question: "Which port?" }],
    });
  });

  it("reads a truncated line and a line without a type as malformed, and plain text as output", () => {
    const parse = createGooseStreamParser(CWD);
    expect(parse('{"type":"message","message":{"id":"m","role":"assi')).toMatchObject({ kind: "invalid" });
    expect(parse('{"message":{}}')).toMatchObject({ kind: "invalid", error: expect.stringContaining("no type") });
    expect(parse("starting session | provider: ollama model: qwen2.5-coder")).toMatchObject({ kind: "text" });
  });
});
