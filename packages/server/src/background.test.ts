import { describe, expect, it } from "vitest";
import { FlotillaError } from "@flotilla/protocol";
import { createBackground } from "./background.js";

describe("background work", () => {
  it("throws a refusal that happens before the first await, at once", async () => {
    const bg = createBackground();
    await expect(
      bg.start("x", async () => {
        throw new FlotillaError("illegal_transition", "no");
      }),
    ).rejects.toThrow("no");
    expect(bg.running).toBe(0);
  });

  it("reports later failures, and stop() fires the signal and waits", async () => {
    const failures: string[] = [];
    const bg = createBackground({ onError: (label, err) => failures.push(`${label}: ${String(err)}`) });
    let sawAbort = false;
    await bg.start(
      "slow",
      (signal) => new Promise((resolve) => signal.addEventListener("abort", () => resolve((sawAbort = true)))),
    );
    await bg.start("late", async () => {
      await new Promise((r) => setTimeout(r, 10));
      throw new Error("late failure");
    });
    expect(bg.running).toBe(2);
    await new Promise((r) => setTimeout(r, 30));
    expect(failures).toEqual(["late: Error: late failure"]);
    await bg.stop();
    expect(sawAbort).toBe(true);
    expect(bg.signal.aborted).toBe(true);
    expect(bg.running).toBe(0);
  });
});
