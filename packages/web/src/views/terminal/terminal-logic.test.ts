import { describe, expect, it } from "vitest";
import { closeMessage, resizeMessage, terminalUrl } from "./terminal-logic.js";

describe("terminal", () => {
  it("connects to the page's own origin, ws or wss", () => {
    expect(terminalUrl({ protocol: "http:", host: "127.0.0.1:7600" }, "add db")).toBe(
      "ws://127.0.0.1:7600/tasks/add%20db/terminal",
    );
    expect(terminalUrl({ protocol: "https:", host: "fleet.example" }, "t1")).toBe(
      "wss://fleet.example/tasks/t1/terminal",
    );
  });

  it("sends whole, positive sizes", () => {
    expect(resizeMessage(80.7, 24)).toBe('{"type":"resize","cols":80,"rows":24}');
    expect(resizeMessage(0, 24)).toBeUndefined();
    expect(resizeMessage(Number.NaN, 24)).toBeUndefined();
  });

  it("says clearly why it is closed", () => {
    expect(closeMessage({ code: 1006, reason: "", opened: false })).toMatch(/refused.*gone or cleaned/);
    expect(closeMessage({ code: 1006, reason: "", opened: false, task: { exists: false } })).toMatch(
      /no longer exists/,
    );
    expect(closeMessage({ code: 1006, reason: "", opened: true, task: { exists: true, status: "merged" } })).toMatch(
      /worktree is gone/,
    );
    expect(closeMessage({ code: 1000, reason: "shell exited", opened: true })).toBe(
      "The terminal session ended: shell exited.",
    );
    expect(closeMessage({ code: 1008, reason: "", opened: false })).toMatch(/not logged in/);
    expect(closeMessage({ code: 4404, reason: "task t9 not found", opened: false })).toMatch(/task t9 not found/);
    expect(closeMessage({ code: 4409, reason: "the task is merged", opened: true })).toBe(
      "The terminal is closed: the task is merged.",
    );
    expect(closeMessage({ code: 1001, reason: "", opened: true })).toMatch(/shutting down/);
    // Over the server's limit: the socket opens, then closes with 4429 and the server's reason,
    // even though the task exists and has its worktree.
    const full = closeMessage({
      code: 4429,
      reason: "8 terminals are open, the most this server allows (--max-terminals): close one, then reconnect",
      opened: true,
      task: { exists: true, status: "failed", worktreePath: "/w" },
    });
    expect(full).toBe(
      "Too many terminals are open: 8 terminals are open, the most this server allows (--max-terminals): close one, then reconnect.",
    );
    expect(closeMessage({ code: 4429, reason: "", opened: true })).toBe(
      "Too many terminals are open (the server's limit): close another one, then reconnect.",
    );
    expect(closeMessage({ code: 1011, reason: "no /bin/bash", opened: false })).toMatch(/could not be started: no/);
    expect(
      closeMessage({
        code: 1006,
        reason: "",
        opened: true,
        task: { exists: true, status: "running", worktreePath: "/w" },
      }),
    ).toMatch(/connection was lost \(code 1006\)/);
  });
});
