import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildDag,
  dependenciesOf,
  dependentsOf,
  edgeCount,
  findCycles,
  formatCycle,
  topologicalOrder,
  type DagInput,
} from "./dag.js";

const t = (id: string, ...dependsOn: string[]): DagInput => ({ id, dependsOn });

/** Every elementary cycle by plain path search: from each start, through later nodes only. */
function naiveCycles(dag: ReturnType<typeof buildDag>): string[] {
  const out: string[] = [];
  dag.ids.forEach((start, s) => {
    const walk = (path: string[]) => {
      for (const w of dag.deps.get(path.at(-1)!) ?? []) {
        if (w === start) out.push(path.join(">"));
        else if (dag.ids.indexOf(w) > s && !path.includes(w)) walk([...path, w]);
      }
    };
    walk([start]);
  });
  return out;
}

describe("buildDag", () => {
  it("keeps input order, drops unknown, self and repeated edges, and records dependents", () => {
    const dag = buildDag([t("a"), t("b", "a", "a", "zz", "b"), t("c", "b", "a")]);
    expect(dag.ids).toEqual(["a", "b", "c"]);
    expect(dag.deps.get("b")).toEqual(["a"]);
    expect(dag.dependents.get("a")).toEqual(["b", "c"]);
    expect(edgeCount(dag)).toBe(3);
  });

  it("merges the edges of repeated ids", () => {
    const dag = buildDag([t("a"), t("b"), t("c", "a"), t("c", "b")]);
    expect(dag.ids).toEqual(["a", "b", "c"]);
    expect(dag.deps.get("c")).toEqual(["a", "b"]);
  });
});

describe("findCycles", () => {
  it("finds none in a DAG", () => {
    expect(findCycles(buildDag([t("a"), t("b", "a"), t("c", "a", "b")]))).toEqual([]);
  });

  it("names each cycle from its earliest task, in edge order", () => {
    const dag = buildDag([t("x"), t("a", "b"), t("b", "c"), t("c", "a")]);
    expect(findCycles(dag)).toEqual([["a", "b", "c"]]);
    expect(formatCycle(["a", "b", "c"])).toBe("a → b → c → a");
  });

  it("finds every elementary cycle, in several components", () => {
    const dag = buildDag([t("a", "b", "c"), t("b", "a"), t("c", "a", "b"), t("d", "e"), t("e", "d")]);
    expect(findCycles(dag)).toEqual([
      ["a", "b"],
      ["a", "c"],
      ["a", "c", "b"],
      ["d", "e"],
    ]);
  });

  it("stops at the limit", () => {
    // A complete graph on 6 nodes has hundreds of elementary cycles.
    const ids = ["a", "b", "c", "d", "e", "f"];
    const dag = buildDag(ids.map((id) => t(id, ...ids.filter((x) => x !== id))));
    expect(findCycles(dag, 10)).toHaveLength(10);
    expect(findCycles(dag, 1000)).toHaveLength(409);
  });

  it("finds a cycle exactly when a topological order does not exist (property)", () => {
    const graph = fc
      .integer({ min: 1, max: 7 })
      .chain((n) =>
        fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { maxLength: 3 }), { minLength: n, maxLength: n }),
      )
      .map((adj) => adj.map((deps, i) => t(`n${i}`, ...deps.map((d) => `n${d}`))));
    fc.assert(
      fc.property(graph, (tasks) => {
        const dag = buildDag(tasks);
        const cycles = findCycles(dag);
        for (const cycle of cycles) {
          expect(new Set(cycle).size).toBe(cycle.length); // elementary
          cycle.forEach((id, i) => expect(dag.deps.get(id)).toContain(cycle[(i + 1) % cycle.length]));
        }
        expect(cycles.map((c) => c.join(">")).sort()).toEqual(naiveCycles(dag).sort());
        if (cycles.length === 0) {
          const order = topologicalOrder(dag);
          const at = new Map(order.map((id, i) => [id, i]));
          for (const id of dag.ids)
            for (const d of dag.deps.get(id) ?? []) expect(at.get(d)!).toBeLessThan(at.get(id)!);
        } else {
          expect(() => topologicalOrder(dag)).toThrow(/cycle/);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("topologicalOrder", () => {
  it("puts dependencies first and otherwise keeps input order", () => {
    const dag = buildDag([t("web", "api"), t("db"), t("api", "db"), t("docs")]);
    expect(topologicalOrder(dag)).toEqual(["db", "api", "web", "docs"]);
  });

  it("throws on a cycle, naming it", () => {
    expect(() => topologicalOrder(buildDag([t("a", "b"), t("b", "a")]))).toThrow("the tasks have a cycle: a → b → a");
  });
});

describe("dependentsOf / dependenciesOf", () => {
  const dag = buildDag([t("db"), t("api", "db"), t("web", "api"), t("docs"), t("e2e", "web", "docs")]);
  it("are transitive, in input order, without the task itself", () => {
    expect(dependentsOf(dag, "db")).toEqual(["api", "web", "e2e"]);
    expect(dependentsOf(dag, "docs")).toEqual(["e2e"]);
    expect(dependentsOf(dag, "e2e")).toEqual([]);
    expect(dependenciesOf(dag, "e2e")).toEqual(["db", "api", "web", "docs"]);
    expect(dependenciesOf(dag, "nope")).toEqual([]);
  });
});
