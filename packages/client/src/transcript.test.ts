import { describe, expect, it } from "vitest";
import type { EventPayload, FlotillaEvent } from "@flotilla/protocol";
import { appendToTranscript, buildTranscript, emptyTranscript } from "./transcript.js";

let seq = 0;
const ev = (payload: EventPayload): FlotillaEvent => ({ seq: ++seq, at: `2025-01-01T00:00:${seq}Z`, payload });
const agent = (runId: string, event: Extract<EventPayload, { type: "run.agent-event" }>["event"]) =>
  ev({ type: "run.agent-event", taskId: "t1", runId, event });

describe("the transcript fold", () => {
  seq = 0;
  const events: FlotillaEvent[] = [
    ev({ type: "task.status-changed", taskId: "t1", from: "preparing", to: { status: "running", runId: "r1" } }),
    ev({
      type: "run.started",
      taskId: "t1",
      runId: "r1",
      agent: "scripted",
      attempt: 1,
      role: "coder",
      prompt: "fix it",
    }),
    agent("r1", { type: "message", text: "on it" }),
    agent("r1", { type: "tool_call", id: "c1", name: "bash", input: { command: "ls" } }),
    agent("r1", { type: "tool_call", id: "c2", name: "write", input: { path: "a" } }),
    ev({ type: "run.output", taskId: "t1", runId: "r1", stream: "stdout", lines: ["raw"] }),
    agent("r1", { type: "tool_result", id: "c1", name: "bash", output: "a\nb", isError: false }),
    ev({ type: "run.started", taskId: "other", runId: "rx", agent: "scripted", attempt: 1, prompt: "not mine" }),
    agent("r1", { type: "permission_request", id: "p1", tool: "bash", input: { command: "rm -rf build" } }),
    ev({ type: "task.tool-allowed", taskId: "t1", tool: "bash" }),
    ev({ type: "watchdog.nudged", taskId: "t1", runId: "r1", kind: "stall", detail: "quiet for 10 min" }),
    agent("r1", { type: "tool_result", name: "write", output: "", isError: true }),
  ];

  it("pairs results with their calls by id (or the open call of that name), in the run's order", () => {
    const t = buildTranscript("t1", events);
    expect(t.lastSeq).toBe(events.at(-1)?.seq);
    expect(t.entries.map((e) => e.kind)).toEqual([
      "notice",
      "run",
      "user",
      "agent",
      "tool",
      "tool",
      "notice",
      "notice",
      "notice",
    ]);
    expect(t.entries[1]).toMatchObject({ kind: "run", runId: "r1", agent: "scripted", attempt: 1, role: "coder" });
    expect(t.entries[2]).toMatchObject({ kind: "user", text: "fix it" });
    expect(t.entries[4]).toMatchObject({ kind: "tool", callId: "c1", name: "bash", output: "a\nb", isError: false });
    expect(t.entries[5]).toMatchObject({ kind: "tool", callId: "c2", name: "write", output: "", isError: true });
    expect(t.entries[6]).toMatchObject({ topic: "permission", text: 'asks to use bash: {"command":"rm -rf build"}' });
    expect(t.entries[7]).toMatchObject({ topic: "permission", text: "bash allowed for the rest of this task" });
    expect(t.entries[8]).toMatchObject({ topic: "watchdog", runId: "r1" });
    expect(JSON.stringify(t)).not.toContain("not mine");
  });

  it("is idempotent: events at or below lastSeq change nothing; a live append equals a rebuild", () => {
    const t = buildTranscript("t1", events);
    expect(events.reduce(appendToTranscript, t)).toBe(t);
    const half = buildTranscript("t1", events.slice(0, 6));
    const live = events.reduce(appendToTranscript, half); // overlapping replay from the start
    expect(live).toEqual(t);
    expect(appendToTranscript(emptyTranscript("t1"), events[0]!).entries[0]).toMatchObject({
      kind: "notice",
      topic: "status",
      text: "preparing → running",
    });
  });

  it("a result whose call it never saw stands on its own", () => {
    const t = appendToTranscript(
      emptyTranscript("t1"),
      agent("r9", { type: "tool_result", id: "zz", output: "late", isError: false }),
    );
    expect(t.entries).toEqual([
      expect.objectContaining({ kind: "tool", callId: "zz", name: "tool", output: "late", runId: "r9" }),
    ]);
  });
});
