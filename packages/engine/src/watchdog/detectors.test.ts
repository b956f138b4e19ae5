import { describe, expect, it } from "vitest";
import {
  createLoopDetector,
  createProgressDetector,
  createRunMonitor,
  createStallDetector,
  toolSignature,
} from "./detectors.js";

const SETTINGS = { stallMs: 1500, loopRepeats: 5, noProgressCalls: 6 };
const call = (name: string, input: unknown, id?: string) => ({
  type: "tool_call" as const,
  name,
  input,
  ...(id ? { id } : {}),
});

describe("toolSignature", () => {
  it("ignores key order and undefined fields, and tells different arguments apart", () => {
    expect(toolSignature("edit", { a: 1, b: { c: 2, d: 3 } })).toBe(
      toolSignature("edit", { b: { d: 3, c: 2 }, a: 1, e: undefined }),
    );
    expect(toolSignature("edit", { a: 1 })).not.toBe(toolSignature("edit", { a: 2 }));
    expect(toolSignature("edit", { a: 1 })).not.toBe(toolSignature("write", { a: 1 }));
  });
});

describe("stall detector", () => {
  it("fires only after stallMs without activity, and any activity resets it", () => {
    const d = createStallDetector(1500, 0);
    expect(d.check(1499)).toBeUndefined();
    expect(d.check(1500)?.kind).toBe("stall");
    d.activity(1400);
    expect(d.check(2800)).toBeUndefined();
    expect(d.check(2900)?.detail).toContain("no output for 1.5 s");
  });
});

describe("loop detector", () => {
  it("fires at the k-th identical call in a row, not before", () => {
    const d = createLoopDetector(5);
    for (let i = 0; i < 4; i++) expect(d.toolCall("edit", { path: "a", old: "x", new: "y" })).toBeUndefined();
    const f = d.toolCall("edit", { new: "y", old: "x", path: "a" });
    expect(f?.kind).toBe("loop");
    expect(f?.detail).toContain("5 times in a row");
  });
  it("a different call breaks the streak", () => {
    const d = createLoopDetector(3);
    d.toolCall("edit", { p: 1 });
    d.toolCall("edit", { p: 1 });
    d.toolCall("read", { p: 1 });
    d.toolCall("edit", { p: 1 });
    expect(d.toolCall("edit", { p: 1 })).toBeUndefined();
    expect(d.toolCall("edit", { p: 1 })?.kind).toBe("loop");
  });
});

describe("progress detector", () => {
  it("fires when calls only repeat earlier ones with the same results (an A/B loop)", () => {
    const d = createProgressDetector(6);
    let found;
    for (let i = 0; i < 5 && !found; i++) {
      found = d.observe(call("edit", { path: "a", text: "x" }, `e${i}`));
      found ??= d.observe({ type: "tool_result", id: `e${i}`, output: "ok", isError: false });
      found ??= d.observe(call("bash", { command: "npm test" }, `b${i}`));
      found ??= d.observe({ type: "tool_result", id: `b${i}`, output: "1 failing", isError: true, exitCode: 1 });
    }
    expect(found?.kind).toBe("no_progress");
  });
  it("a changed test result, a new call or a new message is progress", () => {
    const d = createProgressDetector(3);
    d.observe(call("bash", { command: "npm test" }, "1"));
    d.observe({ type: "tool_result", id: "1", output: "2 failing", isError: true, exitCode: 1 });
    d.observe(call("bash", { command: "npm test" }, "2"));
    d.observe({ type: "tool_result", id: "2", output: "1 failing", isError: true, exitCode: 1 });
    d.observe(call("bash", { command: "npm test" }, "3"));
    d.observe({ type: "message", text: "getting closer" });
    d.observe(call("bash", { command: "npm test" }, "4"));
    d.observe(call("bash", { command: "npm test" }, "5"));
    expect(d.observe(call("edit", { path: "b" }))).toBeUndefined();
    for (let i = 0; i < 10; i++) expect(d.observe(call(`tool${i}`, { i }))).toBeUndefined();
  });
});

describe("run monitor", () => {
  it("never flags a run blocked on a permission prompt or a question, however long it waits", () => {
    for (const wait of [
      { type: "permission_request" as const, id: "p1", tool: "bash" },
      { type: "question" as const, id: "q1", question: "which port?" },
    ]) {
      const m = createRunMonitor(SETTINGS, 0);
      m.event(wait, 100);
      expect(m.phase).toBe("blocked");
      expect(m.check(10 * 60_000)).toBeUndefined();
    }
  });
  it("never flags a run that declared itself done (or failed), even while its process lingers", () => {
    const m = createRunMonitor(SETTINGS, 0);
    m.event({ type: "done" }, 10);
    expect(m.check(60_000)).toBeUndefined();
    const f = createRunMonitor(SETTINGS, 0);
    f.event({ type: "failed", reason: "x" }, 10);
    expect(f.check(60_000)).toBeUndefined();
  });
  it("does not flag a slow agent that keeps doing new things, and output lines count as activity", () => {
    const m = createRunMonitor(SETTINGS, 0);
    for (let i = 1; i <= 20; i++) {
      expect(m.event(call("write", { path: `f${i}.txt` }), i * 1000)).toBeUndefined();
      m.output(i * 1000 + 500);
      expect(m.check(i * 1000 + 1900)).toBeUndefined();
    }
  });
  it("reports a loop at once and keeps reporting it; a stall after silence", () => {
    const m = createRunMonitor(SETTINGS, 0);
    let f;
    for (let i = 0; i < 5; i++) f = m.event(call("edit", { path: "a" }), i);
    expect(f?.kind).toBe("loop");
    expect(m.check(10)?.kind).toBe("loop");
    const s = createRunMonitor(SETTINGS, 0);
    s.event({ type: "message", text: "hi" }, 100);
    expect(s.check(1599)).toBeUndefined();
    expect(s.check(1600)?.kind).toBe("stall");
  });
  it("a blocked run that gets going again is watched again", () => {
    const m = createRunMonitor(SETTINGS, 0);
    m.event({ type: "question", id: "q", question: "?" }, 0);
    m.event({ type: "message", text: "thanks, going on" }, 5000);
    expect(m.phase).toBe("active");
    expect(m.check(7000)?.kind).toBe("stall");
  });
});
