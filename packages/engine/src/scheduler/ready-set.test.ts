import fc from "fast-check";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { buildDag, dependenciesOf } from "../plan/dag.js";
import { globsMayOverlap } from "../plan/globs.js";
import { describeWait, pickRunnable, type Limits, type SchedStatus, type SchedTask } from "./ready-set.js";

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

// --- The scheduler simulated on random plans -------------------------------------------------

const GLOBS = ["src/**", "src/a/**", "src/a/x.ts", "src/*.ts", "src/index.ts", "src/**/*.css", "src/b/*.css"];
const MORE_GLOBS = [
  "docs/**",
  "*.md",
  "README.md",
  "**",
  "src/{a,b}/*.ts",
  "src/a/[xy].ts",
  "package.json",
  ".github/**",
];
const UNIVERSE = [
  "README.md", "CHANGES.md", "package.json", "docs/guide.md", "src/index.ts", "src/util.ts", "src/a/x.ts",
  "src/a/y.ts", "src/a/z.css", "src/a/deep/q.ts", "src/b/x.ts", "src/b/s.css", "src/c/t.ts", ".github/ci.yml",
  "src/.hidden.ts", "lib/other.js",
]; // prettier-ignore
const AGENTS = ["claude", "codex", "scripted"];
const PROVIDERS = ["anthropic", "openai"];

/** The concrete paths of the universe a write-set matches (all of them when it is empty: unknown). */
function pathsOf(writes: readonly string[]): Set<string> {
  if (writes.length === 0) return new Set(UNIVERSE);
  return new Set(UNIVERSE.filter((p) => writes.some((g) => picomatch.isMatch(p, g, { dot: true }))));
}
const reallyOverlap = (a: SchedTask, b: SchedTask) =>
  a.writes.length === 0 || b.writes.length === 0 || [...pathsOf(a.writes)].some((p) => pathsOf(b.writes).has(p));

const scenario = fc.integer({ min: 1, max: 10 }).chain((n) =>
  fc.record({
    tasks: fc.tuple(
      ...Array.from({ length: n }, (_, i) =>
        fc.record({
          deps: fc.subarray(Array.from({ length: i }, (_, j) => j)),
          writes: fc.subarray([...GLOBS, ...MORE_GLOBS], { maxLength: 3 }),
          priority: fc.integer({ min: 0, max: 3 }),
          created: fc.integer({ min: 0, max: 5 }),
          agent: fc.constantFrom(...AGENTS),
          provider: fc.constantFrom(...PROVIDERS),
        }),
      ),
    ),
    limits: fc.record({
      global: fc.integer({ min: 1, max: 4 }),
      perAgent: fc.dictionary(fc.constantFrom(...AGENTS), fc.integer({ min: 1, max: 2 })),
      perProvider: fc.dictionary(fc.constantFrom(...PROVIDERS), fc.integer({ min: 1, max: 3 })),
    }),
    choices: fc.array(fc.nat(), { minLength: 32, maxLength: 32 }),
    failures: fc.array(fc.boolean(), { minLength: 32, maxLength: 32 }),
  }),
);

describe("pickRunnable in a simulated scheduler (property)", () => {
  it("the write alphabet: globsMayOverlap answers true whenever a path of the universe matches both", () => {
    const all = [...GLOBS, ...MORE_GLOBS];
    for (const a of all)
      for (const b of all) {
        const both = [...pathsOf([a])].some((p) => pathsOf([b]).has(p));
        if (both) expect(globsMayOverlap([a], [b]), `${a} / ${b}`).toBe(true);
      }
  });

  it("keeps every invariant and ends with every task merged, failed or blocked by a failure", () => {
    fc.assert(
      fc.property(scenario, ({ tasks: specs, limits, choices, failures }) => {
        const tasks: SchedTask[] = specs.map((s, i) => ({
          id: `t${i}`,
          dependsOn: s.deps.map((d) => `t${d}`),
          writes: s.writes,
          priority: s.priority,
          createdAt: `2026-01-01T00:00:0${s.created}.000Z`,
          agent: s.agent,
          provider: s.provider,
          status: "pending" as SchedStatus,
        }));
        const byId = new Map(tasks.map((t) => [t.id, t]));
        const active = () => tasks.filter((t) => t.status === "active");
        let last: ReturnType<typeof pickRunnable>["waiting"] = {};
        for (let step = 0; ; step++) {
          expect(step).toBeLessThan(100);
          const { start, waiting } = pickRunnable(tasks, limits);
          last = waiting;
          const pendingBefore = tasks.filter((t) => t.status === "pending").map((t) => t.id);
          expect([...start, ...Object.keys(waiting)].sort()).toEqual([...pendingBefore].sort());
          for (const id of start) {
            const t = byId.get(id)!;
            for (const d of t.dependsOn) expect(byId.get(d)?.status, `${id} started before ${d} merged`).toBe("merged");
            t.status = "active";
          }
          checkActive(active(), limits);
          checkReasons(waiting, byId, limits, active());
          const running = active();
          if (running.length === 0) {
            expect(start).toEqual([]);
            break;
          }
          const done = running[(choices[step % choices.length] ?? 0) % running.length]!;
          done.status = failures[step % failures.length] ? "failed" : "merged";
        }
        // Every task ran (merged or failed) unless something it depends on failed.
        const dag = buildDag(tasks);
        for (const t of tasks) {
          const failedDeps = dependenciesOf(dag, t.id).filter((d) => byId.get(d)?.status === "failed");
          if (failedDeps.length > 0) {
            expect(t.status, t.id).toBe("pending");
            const reason = last[t.id];
            expect(reason?.kind, t.id).toBe("blocked");
            if (reason?.kind === "blocked") for (const f of reason.by) expect(failedDeps).toContain(f);
          } else expect(["merged", "failed"], t.id).toContain(t.status);
        }
      }),
      { numRuns: 400 },
    );
  });
});

function checkActive(running: SchedTask[], limits: Limits): void {
  expect(running.length).toBeLessThanOrEqual(limits.global);
  for (const [agent, max] of Object.entries(limits.perAgent ?? {}))
    expect(running.filter((t) => t.agent === agent).length).toBeLessThanOrEqual(max);
  for (const [provider, max] of Object.entries(limits.perProvider ?? {}))
    expect(running.filter((t) => t.provider === provider).length).toBeLessThanOrEqual(max);
  for (const a of running)
    for (const b of running)
      if (a !== b) expect(reallyOverlap(a, b), `${a.id} and ${b.id} both write ${a.writes} / ${b.writes}`).toBe(false);
}

/** Each wait reason is true of the state after the call. */
function checkReasons(
  waiting: ReturnType<typeof pickRunnable>["waiting"],
  byId: Map<string, SchedTask>,
  limits: Limits,
  running: SchedTask[],
): void {
  for (const [id, reason] of Object.entries(waiting)) {
    const t = byId.get(id)!;
    switch (reason.kind) {
      case "dependency":
        expect(reason.on).toEqual(t.dependsOn.filter((d) => byId.get(d)?.status !== "merged"));
        expect(reason.on.length).toBeGreaterThan(0);
        break;
      case "blocked":
        expect(reason.by.length).toBeGreaterThan(0);
        for (const f of reason.by) expect(byId.get(f)?.status).toBe("failed");
        break;
      case "lock":
        expect(byId.get(reason.holder)?.status).toBe("active");
        expect(globsMayOverlap(t.writes, byId.get(reason.holder)!.writes)).toBe(true);
        break;
      case "slot": {
        const of = (pick: (x: SchedTask) => boolean) => running.filter(pick).length;
        if (reason.limit === "global") expect(running.length).toBeGreaterThanOrEqual(limits.global);
        if (reason.limit === "agent")
          expect(of((x) => x.agent === t.agent)).toBeGreaterThanOrEqual(limits.perAgent?.[t.agent] ?? Infinity);
        if (reason.limit === "provider")
          expect(of((x) => x.provider === t.provider)).toBeGreaterThanOrEqual(
            limits.perProvider?.[t.provider] ?? Infinity,
          );
      }
    }
  }
}
