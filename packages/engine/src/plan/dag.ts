/**
 * A plan's dependency graph, pure. An edge `a → b` means "a depends on b" (b must merge first).
 * Everything is deterministic: nodes keep their input order and edges their `dependsOn` order.
 */

export interface DagInput {
  id: string;
  dependsOn: readonly string[];
}

export interface Dag {
  /** The task ids, unique, in input order. */
  readonly ids: readonly string[];
  /** Each id's direct dependencies: known ids only, no self-edges, no repeats. */
  readonly deps: ReadonlyMap<string, readonly string[]>;
  /** Each id's direct dependents (the reverse edges), in input order. */
  readonly dependents: ReadonlyMap<string, readonly string[]>;
}

/** Builds the graph. Unknown dependencies and self-dependencies are left out (the plan checks report them). */
export function buildDag(tasks: readonly DagInput[]): Dag {
  const ids = [...new Set(tasks.map((t) => t.id))];
  const known = new Set(ids);
  const deps = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const t of tasks) {
    const list = deps.get(t.id) ?? [];
    for (const d of t.dependsOn) if (d !== t.id && known.has(d) && !list.includes(d)) list.push(d);
  }
  const dependents = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const id of ids) for (const d of deps.get(id) ?? []) dependents.get(d)?.push(id);
  return { ids, deps, dependents };
}

/** How many dependency edges the graph has. */
export function edgeCount(dag: Dag): number {
  let n = 0;
  for (const list of dag.deps.values()) n += list.length;
  return n;
}

/**
 * Every elementary cycle (Johnson's algorithm), each as its nodes in edge order starting from
 * its earliest node in input order: `[a, b, c]` is a → b → c → a. At most `limit` cycles.
 */
export function findCycles(dag: Dag, limit = 100): string[][] {
  const order = new Map(dag.ids.map((id, i) => [id, i]));
  const cycles: string[][] = [];
  for (let s = 0; s < dag.ids.length && cycles.length < limit; s++) {
    const start = dag.ids[s] ?? "";
    const allowed = componentOf(dag, start, (id) => (order.get(id) ?? -1) >= s);
    if (allowed.size < 2) continue;
    const blocked = new Set<string>();
    const blockMap = new Map<string, Set<string>>();
    const stack: string[] = [];
    const unblock = (v: string): void => {
      blocked.delete(v);
      const waiting = blockMap.get(v);
      blockMap.delete(v);
      for (const w of waiting ?? []) if (blocked.has(w)) unblock(w);
    };
    const circuit = (v: string): boolean => {
      let found = false;
      stack.push(v);
      blocked.add(v);
      for (const w of dag.deps.get(v) ?? []) {
        if (!allowed.has(w) || cycles.length >= limit) continue;
        if (w === start) {
          cycles.push([...stack]);
          found = true;
        } else if (!blocked.has(w) && circuit(w)) found = true;
      }
      if (found) unblock(v);
      else
        for (const w of dag.deps.get(v) ?? []) {
          if (!allowed.has(w)) continue;
          const set = blockMap.get(w) ?? new Set<string>();
          set.add(v);
          blockMap.set(w, set);
        }
      stack.pop();
      return found;
    };
    circuit(start);
  }
  return cycles;
}

/** The strongly connected component holding `start` among the nodes `keep` accepts. */
function componentOf(dag: Dag, start: string, keep: (id: string) => boolean): Set<string> {
  const reach = (edges: ReadonlyMap<string, readonly string[]>): Set<string> => {
    const seen = new Set([start]);
    const todo = [start];
    for (let v = todo.pop(); v !== undefined; v = todo.pop()) {
      for (const w of edges.get(v) ?? []) {
        if (keep(w) && !seen.has(w)) {
          seen.add(w);
          todo.push(w);
        }
      }
    }
    return seen;
  };
  const forward = reach(dag.deps);
  const backward = reach(dag.dependents);
  return new Set([...forward].filter((id) => backward.has(id)));
}

/**
 * The ids with every dependency before its dependents; among the ready ones, input order first.
 * Throws when the graph has a cycle.
 */
export function topologicalOrder(dag: Dag): string[] {
  const remaining = new Map(dag.ids.map((id) => [id, dag.deps.get(id)?.length ?? 0]));
  const position = new Map(dag.ids.map((id, i) => [id, i]));
  const ready = dag.ids.filter((id) => remaining.get(id) === 0);
  const out: string[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    const id = ready.shift() ?? "";
    out.push(id);
    for (const d of dag.dependents.get(id) ?? []) {
      const left = (remaining.get(d) ?? 0) - 1;
      remaining.set(d, left);
      if (left === 0) ready.push(d);
    }
  }
  if (out.length < dag.ids.length) {
    const cycle = findCycles(dag, 1)[0] ?? [];
    throw new Error(`the tasks have a cycle: ${formatCycle(cycle)}`);
  }
  return out;
}

/** Every task that (transitively) depends on `id`, in input order; not `id` itself. */
export function dependentsOf(dag: Dag, id: string): string[] {
  return closure(dag, id, dag.dependents);
}

/** Every task `id` (transitively) depends on, in input order; not `id` itself. */
export function dependenciesOf(dag: Dag, id: string): string[] {
  return closure(dag, id, dag.deps);
}

function closure(dag: Dag, id: string, edges: ReadonlyMap<string, readonly string[]>): string[] {
  const seen = new Set<string>();
  const todo = [id];
  for (let v = todo.pop(); v !== undefined; v = todo.pop()) {
    for (const w of edges.get(v) ?? []) {
      if (!seen.has(w)) {
        seen.add(w);
        todo.push(w);
      }
    }
  }
  seen.delete(id);
  return dag.ids.filter((x) => seen.has(x));
}

/** `a → b → c → a`. */
export function formatCycle(cycle: readonly string[]): string {
  return cycle.length === 0 ? "" : [...cycle, cycle[0]].join(" → ");
}
