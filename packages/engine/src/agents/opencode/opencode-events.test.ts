import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createOpencodeEventMapper, errorText, type OpencodeEvent } from "./opencode-events.js";

const fixture = (name: string): OpencodeEvent[] =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8")) as OpencodeEvent[];

describe("the OpenCode /event mapper", () => {
  it("maps one session's parts to normalized events, each once, and ignores other sessions", () => {
    const mapper = createOpencodeEventMapper("ses_1", "/wt");
    const mapped = fixture("turn-events.json").map((e) => mapper.map(e));
    const events = mapped.flatMap((m) => m.events);
    expect(events).toEqual([
      { type: "tool_call", id: "call_w", name: "write", input: { filePath: "/wt/hello.txt", content: "hi\n" } },
      { type: "tool_result", id: "call_w", name: "write", output: "Wrote file successfully.", isError: false },
      { type: "file_change", path: "hello.txt", kind: "write" },
      { type: "usage", inputTokens: 110, outputTokens: 25, costUsd: 0.002 },
      { type: "tool_call", id: "call_b", name: "bash", input: { command: "false" } },
      { type: "tool_result", id: "call_b", name: "bash", output: "exit 1", isError: true, exitCode: 1 },
      { type: "message", text: "All done." },
    ]);
    expect(mapped.filter((m) => m.idle === true)).toHaveLength(2); // session.status idle and session.idle, ours only
    expect(mapper.finish()).toEqual([{ type: "done", summary: "All done." }]);
  });

  it("flushes a text part that never ended at the finish", () => {
    const mapper = createOpencodeEventMapper("ses_1", "/wt");
    const part = { id: "p", sessionID: "ses_1", messageID: "m", type: "text", text: "partial" };
    expect(mapper.map({ type: "message.part.updated", properties: { sessionID: "ses_1", part } }).events).toEqual([]);
    expect(mapper.finish()).toEqual([
      { type: "message", text: "partial" },
      { type: "done", summary: "partial" },
    ]);
  });

  it("turns session errors into a reason and permission asks into a permission_request", () => {
    const mapper = createOpencodeEventMapper("ses_1", "/wt");
    const error = mapper.map({
      type: "session.error",
      properties: { sessionID: "ses_1", error: { name: "APIError", data: { message: "prompt is too long" } } },
    });
    expect(error.error).toBe("APIError: prompt is too long");
    const ask = mapper.map({
      type: "permission.asked",
      properties: {
        id: "per_1",
        sessionID: "ses_1",
        permission: "edit",
        patterns: ["hello.txt"],
        metadata: {},
        always: [],
      },
    });
    expect(ask).toEqual({
      events: [{ type: "permission_request", id: "per_1", tool: "edit", input: { patterns: ["hello.txt"] } }],
      permissionId: "per_1",
    });
    expect(errorText(undefined)).toBe("opencode reported a session error");
    expect(errorText({ name: "MessageAbortedError" })).toBe("MessageAbortedError");
  });
});
