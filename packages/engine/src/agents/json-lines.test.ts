import { describe, expect, it } from "vitest";
import { malformedLineReason, parseAgentLine, quoteLine } from "./json-lines.js";

describe("parseAgentLine", () => {
  it("parses a normalized event", () => {
    expect(parseAgentLine('{"type":"message","text":"hi"}')).toEqual({
      kind: "event",
      event: { type: "message", text: "hi" },
    });
    expect(parseAgentLine('  {"type":"tool_result","output":"x"}')).toMatchObject({
      kind: "event",
      event: { isError: false },
    });
  });

  it("passes text lines through", () => {
    for (const line of ["", "plain", "[1,2]", "  not {json"])
      expect(parseAgentLine(line)).toEqual({ kind: "text", line });
  });

  it("flags JSON-looking lines that do not parse or are not events, without throwing", () => {
    const bad = parseAgentLine("{not json");
    expect(bad).toMatchObject({ kind: "invalid", line: "{not json" });
    expect(bad.kind === "invalid" && bad.error).toContain("not valid JSON");
    const unknown = parseAgentLine('{"type":"dance"}');
    expect(unknown.kind === "invalid" && unknown.error).toContain("not an agent event");
    const missing = parseAgentLine('{"type":"usage","inputTokens":-1,"outputTokens":0}');
    expect(missing.kind === "invalid" && missing.error).toContain("inputTokens");
  });

  it("quotes at most 200 characters", () => {
    const long = `{${"x".repeat(300)}`;
    expect(quoteLine(long)).toBe(`${long.slice(0, 200)}…`);
    expect(quoteLine("short")).toBe("short");
    expect(malformedLineReason({ line: long, error: "not valid JSON" })).toContain(long.slice(0, 200));
    expect(malformedLineReason({ line: long, error: "not valid JSON" })).not.toContain(long.slice(0, 201));
  });
});
