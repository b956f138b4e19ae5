import { describe, expect, it } from "vitest";
import { createKeySequencer, isTypingTarget, stepIndex } from "./keymap.js";

describe("key sequences", () => {
  const seq = () =>
    createKeySequencer([
      { keys: "g d", action: "dashboard" },
      { keys: "g i", action: "inbox" },
      { keys: "?", action: "help" },
    ]);

  it("completes two-key sequences and single keys", () => {
    const s = seq();
    expect(s.feed("g")).toBeUndefined();
    expect(s.pending()).toBe(true);
    expect(s.feed("d")).toBe("dashboard");
    expect(s.pending()).toBe(false);
    expect(s.feed("?")).toBe("help");
  });

  it("starts over on a key that fits nothing", () => {
    const s = seq();
    s.feed("g");
    expect(s.feed("x")).toBeUndefined();
    expect(s.pending()).toBe(false);
    expect(s.feed("i")).toBeUndefined();
    s.feed("g");
    expect(s.feed("?")).toBe("help");
  });

  it("knows typing targets", () => {
    expect(isTypingTarget({ tagName: "TEXTAREA" } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: "DIV", isContentEditable: true } as unknown as EventTarget)).toBe(true);
    expect(isTypingTarget({ tagName: "A" } as unknown as EventTarget)).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });

  it("steps through a list within bounds", () => {
    expect(stepIndex(-1, 3, 1)).toBe(0);
    expect(stepIndex(-1, 3, -1)).toBe(2);
    expect(stepIndex(2, 3, 1)).toBe(2);
    expect(stepIndex(0, 3, -1)).toBe(0);
    expect(stepIndex(0, 0, 1)).toBe(-1);
  });
});
