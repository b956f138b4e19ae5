import fc from "fast-check";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { buildDag, dependenciesOf } from "../plan/dag.js";
import { globsMayOverlap } from "../plan/globs.js";
import { pickRunnable, type Limits, type SchedTask } from "./ready-set.js";

// The scheduler simulated on random plans (worked examples are in ready-set.examples.test.ts).

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
  "lib/**",
  "test/*.ts",
];
const UNIVERSE = [
  "README.md", "CHANGES.md", "package.json", "docs/guide.md", "src/index.ts", "src/util.ts", "src/a/x.ts",
  "src/a/y.ts", "src/a/z.css", "src/a/deep/q.ts", "src/b/x.ts", "src/b/s.css", "src/c/t.ts", ".github/ci.yml",
  "src/.hidden.ts", "lib/other.js", "test/a.ts",
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
          deps: fc.subarray(
            Array.from({ length: i }, (_, j) => j),
            { maxLength: Math.min(i, 2) },
          ),
          writes: fc.oneof(
            { weight: 1, arbitrary: fc.constant<string[]>([]) }, // unknown: locks everything
            { weight: 8, arbitrary: fc.subarray([...GLOBS, ...MORE_GLOBS], { minLength: 1, maxLength: 3 }) },
          ),
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
    failures: fc.array(fc.nat(3), { minLength: 32, maxLength: 32 }), // 0: fails (1 in 4)
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
          status: "pending",
        }));
        const byId = new Map(tasks.map((t) => [t.id, t]));
        const active = () => tasks.filter((t) => t.status === "active");
        let last: ReturnType<typeof pickRunnable>["waiting"];
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
          done.status = failures[step % failures.length] === 0 ? "failed" : "merged";
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
      if (a !== b)
        expect(reallyOverlap(a, b), `${a.id} and ${b.id} both write ${a.writes.join()} / ${b.writes.join()}`).toBe(
          false,
        );
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
