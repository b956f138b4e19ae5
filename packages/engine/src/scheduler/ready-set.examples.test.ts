import { describe, expect, it } from "vitest";
import { describeWait, pickRunnable, type Limits, type SchedTask } from "./ready-set.js";

// Worked examples; the properties (random plans, simulated to the end) are in ready-set.test.ts.

function task(id: string, over: Partial<SchedTask> = {}): SchedTask {
  return {
    id,
    dependsOn: [],
    writes: [`${id}/**`],
    priority: 0,
    createdAt: "2026-01-01T00:00:00.000Z",
    agent: "scripted",
    provider: "scripted",
    status: "pending",
    ...over,
  };
}

describe("pickRunnable", () => {
  it("starts ready tasks by priority, then createdAt, then id", () => {
    const tasks = [
      task("c", { createdAt: "2026-01-02T00:00:00.000Z" }),
      task("b"),
      task("a"),
      task("z", { priority: 9, createdAt: "2026-01-09T00:00:00.000Z" }),
    ];
    expect(pickRunnable(tasks, { global: 10 }).start).toEqual(["z", "a", "b", "c"]);
    const one = pickRunnable(tasks, { global: 2 });
    expect(one.start).toEqual(["z", "a"]);
    expect(one.waiting).toEqual({ b: { kind: "slot", limit: "global" }, c: { kind: "slot", limit: "global" } });
  });

  it("waits for dependencies to merge; a failure blocks only the tasks that depend on it", () => {
    const tasks = [
      task("db", { status: "failed" }),
      task("auth", { status: "active" }),
      task("cfg", { status: "merged" }),
      task("api", { dependsOn: ["db", "auth"] }),
      task("web", { dependsOn: ["api"] }),
      task("sso", { dependsOn: ["auth", "cfg"] }),
      task("docs", { dependsOn: ["cfg"] }),
    ];
    const { start, waiting } = pickRunnable(tasks, { global: 5 });
    expect(start).toEqual(["docs"]);
    expect(waiting).toEqual({
      api: { kind: "blocked", by: ["db"] },
      web: { kind: "blocked", by: ["db"] },
      sso: { kind: "dependency", on: ["auth"] },
    });
  });

  it("a parked task (waiting for a person's approval) keeps its write lock and its dependents waiting, but no slot", () => {
    const tasks = [
      task("held", { status: "parked", writes: ["src/api/**"] }),
      task("also", { status: "parked" }),
      task("after", { dependsOn: ["held"] }),
      task("same", { writes: ["src/api/index.ts"] }),
      task("free"),
    ];
    const { start, waiting } = pickRunnable(tasks, { global: 1 });
    expect(start).toEqual(["free"]);
    expect(waiting).toEqual({
      after: { kind: "dependency", on: ["held"] },
      same: { kind: "lock", holder: "held", globs: ["src/api/index.ts"] },
    });
  });

  it("a parked task locks the files its lease holds, none when it holds no lease; undeclared writes do not wait for it", () => {
    const tasks = [
      task("held", { status: "parked", writes: ["a.txt"] }),
      task("empty", { status: "parked", writes: [], holdsLock: false }),
      task("on-a", { writes: ["a.txt"] }),
      task("on-b", { writes: ["b.txt"] }),
      task("anything", { writes: [] }),
    ];
    const { start, waiting } = pickRunnable(tasks, { global: 10 });
    // `anything` (no declared writes) starts beside the parked tasks, then runs alone among active ones.
    expect(start).toEqual(["anything"]);
    expect(waiting).toEqual({
      "on-a": { kind: "lock", holder: "held", globs: ["a.txt"] },
      "on-b": { kind: "lock", holder: "anything", globs: ["b.txt"] },
    });
    const later = pickRunnable(
      tasks.filter((t) => t.id !== "anything"),
      { global: 10 },
    );
    expect(later.start).toEqual(["on-b"]);
  });

  it("a task waiting for a person keeps its lock and its slot; undeclared writes do not wait for it", () => {
    const tasks = [
      task("asking", { status: "active", writes: ["a.txt"], waitsForPerson: true }),
      task("on-a", { writes: ["a.txt"] }),
      task("anything", { writes: [] }),
    ];
    // At concurrency 2: `anything` takes the free slot (the asking task keeps its own).
    const { start, waiting } = pickRunnable(tasks, { global: 2 });
    expect(start).toEqual(["anything"]);
    expect(waiting).toEqual({ "on-a": { kind: "lock", holder: "asking", globs: ["a.txt"] } });
    expect(pickRunnable(tasks, { global: 1 }).waiting).toEqual({
      "on-a": { kind: "lock", holder: "asking", globs: ["a.txt"] },
      anything: { kind: "slot", limit: "global" },
    });
    // A working task still locks everything for a task with undeclared writes.
    const working = tasks.map((t) => (t.id === "asking" ? { ...t, waitsForPerson: false } : t));
    expect(pickRunnable(working, { global: 2 }).waiting["anything"]).toEqual({
      kind: "lock",
      holder: "asking",
      globs: ["a.txt"],
    });
  });

  it("does not block a task whose path to a failure goes through a merged task", () => {
    const tasks = [task("a", { status: "failed" }), task("b", { status: "merged" }), task("c", { dependsOn: ["b"] })];
    expect(pickRunnable(tasks, { global: 1 }).start).toEqual(["c"]);
  });

  it("holds back a task whose writes may overlap an active one or one chosen earlier in the call", () => {
    const tasks = [
      task("api", { status: "active", writes: ["src/api/**"] }),
      task("routes", { writes: ["src/api/routes.ts", "docs/api.md"] }),
      task("css", { writes: ["web/**/*.css"], priority: 2 }),
      task("style", { writes: ["web/main.css"], priority: 1 }),
      task("ts", { writes: ["web/*.ts"] }),
    ];
    const { start, waiting } = pickRunnable(tasks, { global: 10 });
    expect(start).toEqual(["css", "ts"]);
    expect(waiting).toEqual({
      routes: { kind: "lock", holder: "api", globs: ["src/api/routes.ts"] },
      style: { kind: "lock", holder: "css", globs: ["web/main.css"] },
    });
  });

  it("lets a task that declares no writes run only alone", () => {
    const tasks = [task("unknown", { writes: [], priority: 1 }), task("b")];
    expect(pickRunnable(tasks, { global: 5 })).toEqual({
      start: ["unknown"],
      waiting: { b: { kind: "lock", holder: "unknown", globs: ["b/**"] } },
    });
    const later = pickRunnable([task("a", { status: "active" }), task("u", { writes: [] })], { global: 5 });
    expect(later.waiting).toEqual({ u: { kind: "lock", holder: "a", globs: ["a/**"] } });
  });

  it("keeps per-agent and per-provider counts within their limits", () => {
    const tasks = [
      task("a1", { agent: "claude", provider: "anthropic", status: "active" }),
      task("a2", { agent: "claude", provider: "anthropic" }),
      task("b1", { agent: "sonnet", provider: "anthropic" }),
      task("c1", { agent: "codex", provider: "openai" }),
    ];
    const limits: Limits = { global: 5, perAgent: { claude: 1 }, perProvider: { anthropic: 1 } };
    expect(pickRunnable(tasks, limits)).toEqual({
      start: ["c1"],
      waiting: {
        a2: { kind: "slot", limit: "agent", name: "claude" },
        b1: { kind: "slot", limit: "provider", name: "anthropic" },
      },
    });
  });
});

describe("describeWait", () => {
  it("says why in one line", () => {
    expect(describeWait({ kind: "dependency", on: ["db", "auth"] })).toBe("waits for db, auth to merge");
    expect(describeWait({ kind: "blocked", by: ["db"] })).toBe("blocked: db failed, so it will not run unless retried");
    expect(describeWait({ kind: "lock", holder: "api", globs: ["src/api/**"] })).toBe(
      "waits for the write lock on src/api/** held by api",
    );
    expect(describeWait({ kind: "lock", holder: "api", globs: [] })).toMatch(/^waits for the write lock held by api/);
    expect(describeWait({ kind: "slot", limit: "global" })).toBe("waits for a free slot (concurrency limit reached)");
    expect(describeWait({ kind: "slot", limit: "agent", name: "claude" })).toBe(
      "waits for a free slot for agent claude",
    );
    expect(describeWait({ kind: "slot", limit: "provider", name: "x" })).toBe("waits for a free slot for provider x");
  });
});
