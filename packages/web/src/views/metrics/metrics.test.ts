import { describe, expect, it } from "vitest";
import { attemptsHistogram, costliest, stageTotals, throughput, totals, type TaskMetrics } from "./metrics.js";

const task = (over: Partial<TaskMetrics>): TaskMetrics => ({
  taskId: "t",
  projectId: "p",
  title: "T",
  agent: "scripted",
  status: "merged",
  attempts: 1,
  runs: 1,
  queuedAt: "2025-01-01T00:00:00Z",
  inputTokens: 0,
  outputTokens: 0,
  costUsd: 0,
  durations: { queueMs: 0, agentMs: 0, verifyMs: 0, reviewMs: 0, mergeMs: 0 },
  ...over,
});

describe("metrics", () => {
  it("sums and averages per stage over the tasks that spent time there", () => {
    const s = stageTotals([
      task({ durations: { queueMs: 1000, agentMs: 4000, verifyMs: 0, reviewMs: 0, mergeMs: 500 } }),
      task({ durations: { queueMs: 3000, agentMs: 2000, verifyMs: 0, reviewMs: 0, mergeMs: 0 } }),
    ]);
    expect(s.find((x) => x.stage === "queue")).toEqual({ stage: "queue", totalMs: 4000, avgMs: 2000, tasks: 2 });
    expect(s.find((x) => x.stage === "merge")).toEqual({ stage: "merge", totalMs: 500, avgMs: 500, tasks: 1 });
    expect(s.find((x) => x.stage === "verify")?.avgMs).toBe(0);
  });

  it("buckets merges over time with a round width", () => {
    const b = throughput([
      task({ queuedAt: "2025-01-01T00:00:00Z", mergedAt: "2025-01-01T00:02:00Z" }),
      task({ queuedAt: "2025-01-01T00:00:00Z", mergedAt: "2025-01-01T00:02:30Z" }),
      task({ queuedAt: "2025-01-01T00:00:00Z", mergedAt: "2025-01-01T00:09:00Z" }),
      task({ queuedAt: "2025-01-01T00:00:00Z" }),
    ]);
    expect(b[0]?.widthMs).toBe(60_000);
    expect(b).toHaveLength(10);
    expect(b.map((x) => x.merged)).toEqual([0, 0, 2, 0, 0, 0, 0, 0, 0, 1]);
    expect(throughput([task({})])).toEqual([]);
    const long = throughput([task({ mergedAt: "2025-01-03T00:00:00Z" })]);
    expect(long[0]?.widthMs).toBe(3_600_000 * 6);
  });

  it("histograms attempts, ranks cost, and totals", () => {
    const ts = [
      task({ taskId: "a", attempts: 1, costUsd: 0.5, totalMs: 10 }),
      task({ taskId: "b", attempts: 2, costUsd: 1.5, totalMs: 30, mergedAt: undefined }),
      task({ taskId: "c", attempts: 7, costUsd: 0, totalMs: 20 }),
      task({ taskId: "d", attempts: 0 }),
    ];
    expect(attemptsHistogram(ts)).toEqual([
      { label: "1", count: 1 },
      { label: "2", count: 1 },
      { label: "3", count: 0 },
      { label: "4+", count: 1 },
    ]);
    expect(costliest(ts).map((t) => t.taskId)).toEqual(["b", "a"]);
    expect(totals({ tasks: ts, plans: [] })).toMatchObject({ tasks: 4, costUsd: 2, medianTotalMs: 20 });
  });
});
