import { readdirSync, readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeWorkspace, recordTurn, sweepAfterTest, waitForNoMarker, type AgentWorkspace } from "../test-kit.js";
import { createScriptedAdapter } from "./scripted-adapter.js";
import { script, startScript } from "./scripted-testing.js";

/** Children of this process in state Z (exited, never reaped). */
function zombieChildren(): number[] {
  const zombies: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (state === "Z" && Number(ppid) === process.pid) zombies.push(Number(entry));
    } catch {
      // gone
    }
  }
  return zombies;
}

/** A live process's resident memory in KiB (0 when it is gone). */
function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

describe("scripted agent under load", () => {
  let ws: AgentWorkspace;
  const markers: string[] = [];
  beforeEach(async () => (ws = await makeWorkspace()));
  afterEach(async () => {
    for (const m of markers.splice(0)) await sweepAfterTest(m);
    await ws.cleanup();
  });

  it("streams 100 MB of output without deadlock and with bounded memory", async () => {
    const line = "x".repeat(1023); // 1 KiB with the newline
    const times = 100 * 1024;
    const before = process.memoryUsage().rss;
    let peak = before;
    let agentPeakKb = 0;
    const run = startScript(ws.cwd, ws.stateDir, [{ print: { text: line, times } }, { say: { text: "printed" } }], {
      keepOutput: 0,
    });
    markers.push(run.rec.input.marker);
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
      agentPeakKb = Math.max(agentPeakKb, rssKb(run.turn.pid));
    }, 20);
    const result = await run.result;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(result).toMatchObject({ outcome: "done", summary: "printed" });
    expect(run.rec.outputLines).toBe(times);
    const growthMb = (peak - before) / 1024 / 1024;
    expect(growthMb, `rss grew by ${growthMb.toFixed(1)} MB`).toBeLessThan(50);
    // The agent honours backpressure too: it never holds the 100 MB it writes.
    expect(agentPeakKb / 1024, "agent rss in MB").toBeLessThan(150);
  });

  it("runs 20 turns in a row without leaving zombies or strays", async () => {
    const turnSteps = [{ append: { path: "turns.txt", content: "." } }, { run: { cmd: "true" } }];
    const adapter = createScriptedAdapter({ stateDir: ws.stateDir });
    const parsed = script({ steps: turnSteps, followUps: Array.from({ length: 19 }, () => turnSteps) });
    let sessionId = "";
    for (let i = 0; i < 20; i++) {
      const rec = recordTurn(ws.cwd, { script: parsed, prompt: `turn ${i}` }, { runId: "twenty" });
      markers.push(rec.input.marker);
      const turn = i === 0 ? adapter.start(rec.input) : adapter.followUp({ ...rec.input, sessionId });
      const result = await turn.result;
      expect(result, `turn ${i}: ${JSON.stringify(result)}`).toMatchObject({
        outcome: "done",
        sessionId: "scripted-twenty",
      });
      sessionId = result.sessionId ?? "";
      expect(await waitForNoMarker(rec.input.marker, 2000)).toEqual([]);
    }
    expect(readFileSync(`${ws.cwd}/turns.txt`, "utf8")).toBe(".".repeat(20));
    expect(zombieChildren()).toEqual([]);
  });
});
