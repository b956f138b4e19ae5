import { describe, expect, it } from "vitest";
import { emptyViewState, reduceAll } from "@flotilla/client";
import type { FlotillaEvent } from "@flotilla/protocol";
import { clip, graphTasksOf, layoutDag, pathOf, plansOf, projectSummaries } from "./dag-layout.js";

const at = "2025-01-01T00:00:00.000Z";
let seq = 0;
const ev = (payload: FlotillaEvent["payload"]): FlotillaEvent => ({ seq: ++seq, at, payload });

describe("the plan graph", () => {
  it("lays out dependencies left to right, with satisfied edges from merged tasks", () => {
    const tasks = [
      { id: "a", title: "schema", status: "merged" as const },
      { id: "b", title: "api", status: "running" as const },
      { id: "c", title: "ui", status: "queued" as const, waitingFor: "waiting for b" },
    ];
    const g = layoutDag(tasks, { b: ["a"], c: ["b", "a", "zz"] });
    expect(g.nodes.map((n) => n.id)).toEqual(["a", "b", "c"]);
    const x = Object.fromEntries(g.nodes.map((n) => [n.id, n.x]));
    expect(x.a).toBeLessThan(x.b ?? 0);
    expect(x.b).toBeLessThan(x.c ?? 0);
    expect(g.edges.map((e) => `${e.from}>${e.to}:${e.satisfied}`).sort()).toEqual([
      "a>b:true",
      "a>c:true",
      "b>c:false",
    ]);
    expect(g.nodes.find((n) => n.id === "b")?.tone).toBe("running");
    expect(g.width).toBeGreaterThan(0);
    expect(
      pathOf([
        { x: 1, y: 2 },
        { x: 3.25, y: 4 },
      ]),
    ).toBe("M1.0,2.0 L3.3,4.0");
  });

  it("groups the view's tasks by plan and counts per project", () => {
    const view = reduceAll(emptyViewState(), [
      ev({ type: "project.added", projectId: "p", path: "/src/app" }),
      ev({ type: "task.created", taskId: "a", projectId: "p", title: "A" }),
      ev({ type: "task.created", taskId: "b", projectId: "p", title: "B" }),
      ev({ type: "task.created", taskId: "c", projectId: "p", title: "C" }),
      ev({ type: "plan.started", planId: "plan1", projectId: "p", taskIds: ["b", "c"] }),
      ev({ type: "task.status-changed", taskId: "b", from: "queued", to: { status: "merged", commit: "abc" } }),
      ev({ type: "task.status-changed", taskId: "c", from: "queued", to: { status: "failed", reason: "x" } }),
    ]);
    expect(plansOf(view)).toEqual([
      { planId: undefined, taskIds: ["a"] },
      { planId: "plan1", taskIds: ["b", "c"] },
    ]);
    expect(graphTasksOf(view, ["b", "nope"])).toEqual([{ id: "b", title: "B", status: "merged" }]);
    expect(projectSummaries(view)).toEqual([
      { id: "p", name: "app", path: "/src/app", selected: false, total: 3, running: 0, waiting: 1, failed: 1, done: 1 },
    ]);
    expect(clip("a very long title that goes on and on", 10)).toBe("a very lo…");
  });
});
