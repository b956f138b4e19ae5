import { describe, expect, it } from "vitest";
import { NO_COMPLETION_REASON, decideOutcome, newObservation, observeEvent, observeStderr } from "./turn-outcome.js";

const ok = { code: 0, signal: null };

describe("decideOutcome", () => {
  it("done after a done event and exit 0, with the session and summary", () => {
    const obs = newObservation("s0");
    observeEvent(obs, { type: "session", sessionId: "s1" });
    observeEvent(obs, { type: "done", summary: "all good" });
    expect(decideOutcome(obs, ok)).toEqual({ outcome: "done", sessionId: "s1", summary: "all good", exitCode: 0 });
  });

  it("failed without a completion event", () => {
    expect(decideOutcome(newObservation(), ok)).toEqual({
      outcome: "failed",
      reason: NO_COMPLETION_REASON,
      exitCode: 0,
    });
  });

  it("failed on a non-zero exit or a signal, with the stderr tail", () => {
    const obs = newObservation();
    observeEvent(obs, { type: "done" });
    for (let i = 0; i < 8; i++) observeStderr(obs, `line ${i}`);
    const r = decideOutcome(obs, { code: 2, signal: null });
    expect(r).toMatchObject({ outcome: "failed", exitCode: 2 });
    if (r.outcome === "failed") {
      expect(r.reason).toContain("exited with code 2");
      expect(r.reason).toContain("line 7");
      expect(r.reason).not.toContain("line 2");
    }
    expect(decideOutcome(newObservation(), { code: null, signal: "SIGKILL" })).toMatchObject({
      reason: "agent was killed by SIGKILL",
    });
  });

  it("needs_input on a question or a permission request", () => {
    const q = newObservation();
    observeEvent(q, { type: "question", id: "1", question: "Which one?" });
    expect(decideOutcome(q, ok)).toMatchObject({ outcome: "needs_input", question: "Which one?" });
    const p = newObservation();
    observeEvent(p, { type: "permission_request", id: "1", tool: "bash", input: { command: "ls" } });
    const r = decideOutcome(p, ok);
    expect(r.outcome === "needs_input" && r.question).toContain('"bash"');
  });

  it("precedence: cancelled > malformed line > failed event > exit code > question > done", () => {
    const obs = newObservation();
    observeEvent(obs, { type: "done" });
    observeEvent(obs, { type: "question", id: "1", question: "q" });
    expect(decideOutcome(obs, ok).outcome).toBe("needs_input");
    expect(decideOutcome(obs, { code: 1, signal: null }).outcome).toBe("failed");
    observeEvent(obs, { type: "failed", reason: "boom" });
    expect(decideOutcome(obs, { code: 1, signal: null })).toMatchObject({ reason: "boom" });
    obs.protocolError = "bad line";
    expect(decideOutcome(obs, ok)).toMatchObject({ reason: "bad line" });
    obs.cancelled = true;
    expect(decideOutcome(obs, { code: 130, signal: null })).toEqual({ outcome: "cancelled", exitCode: 130 });
  });
});
