import { Graph, layout, type EdgeLabel, type GraphLabel, type NodeLabel } from "@dagrejs/dagre";
import type { TaskStatusName } from "@flotilla/protocol";
import type { TaskView, ViewState } from "@flotilla/client";
import { toneOf, type Tone } from "../../ui/status.js";

/** A task as the graph draws it. */
export interface GraphTask {
  id: string;
  title: string;
  status: TaskStatusName;
  waitingFor?: string;
}

export interface DagNode extends GraphTask {
  tone: Tone;
  /** Centre of the node. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DagEdge {
  /** The dependency (lands first). */
  from: string;
  /** The task that waits for it. */
  to: string;
  points: readonly { x: number; y: number }[];
  /** The dependency has merged. */
  satisfied: boolean;
}

export interface DagLayout {
  nodes: DagNode[];
  edges: DagEdge[];
  width: number;
  height: number;
}

export const NODE_WIDTH = 190;
export const NODE_HEIGHT = 46;

/**
 * Lays a plan's tasks out left to right with dagre: an edge from each dependency to the task
 * that depends on it (dependencies outside the set are left out). Pure and deterministic.
 */
export function layoutDag(
  tasks: readonly GraphTask[],
  deps: Readonly<Record<string, readonly string[]>>,
  rankdir: "LR" | "TB" = "LR",
): DagLayout {
  const g = new Graph<GraphLabel, NodeLabel, EdgeLabel>();
  g.setGraph({ rankdir, nodesep: 18, ranksep: 48, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const byId = new Map(tasks.map((t) => [t.id, t]));
  for (const t of tasks) g.setNode(t.id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const t of tasks) {
    for (const d of deps[t.id] ?? []) if (d !== t.id && byId.has(d)) g.setEdge(d, t.id);
  }
  layout(g);
  const nodes: DagNode[] = tasks.map((t) => {
    const n = g.node(t.id);
    return { ...t, tone: toneOf(t.status), x: n.x ?? 0, y: n.y ?? 0, width: NODE_WIDTH, height: NODE_HEIGHT };
  });
  const edges: DagEdge[] = g.edges().map((e) => ({
    from: e.v,
    to: e.w,
    points: g.edge(e).points ?? [],
    satisfied: byId.get(e.v)?.status === "merged",
  }));
  const graph = g.graph();
  return { nodes, edges, width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0) };
}

/** An SVG path through dagre's edge points. */
export function pathOf(points: readonly { x: number; y: number }[]): string {
  return points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
}

/** A title cut to fit a node. */
export function clip(text: string, max = 26): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export interface PlanGroup {
  /** undefined: the tasks that belong to no plan. */
  planId: string | undefined;
  taskIds: string[];
}

/** The plans the view knows, in the order their first task was created (newest last). */
export function plansOf(view: ViewState, projectId?: string): PlanGroup[] {
  const groups = new Map<string | undefined, string[]>();
  for (const id of view.taskOrder) {
    const t = view.tasks[id];
    if (!t || (projectId !== undefined && t.projectId !== projectId)) continue;
    const list = groups.get(t.planId) ?? [];
    list.push(id);
    groups.set(t.planId, list);
  }
  return [...groups.entries()].map(([planId, taskIds]) => ({ planId, taskIds }));
}

export function graphTasksOf(view: ViewState, taskIds: readonly string[]): GraphTask[] {
  return taskIds
    .map((id) => view.tasks[id])
    .filter((t): t is TaskView => t !== undefined)
    .map((t) => ({
      id: t.id,
      title: t.title,
      status: t.state.status,
      ...(t.waitingFor !== undefined ? { waitingFor: t.waitingFor } : {}),
    }));
}

export interface ProjectSummary {
  id: string;
  name: string;
  path: string;
  selected: boolean;
  total: number;
  running: number;
  waiting: number;
  failed: number;
  done: number;
}

/** Per-project counts, from the tasks in the view. */
export function projectSummaries(view: ViewState): ProjectSummary[] {
  const out = new Map<string, ProjectSummary>();
  for (const p of Object.values(view.projects)) {
    out.set(p.id, {
      id: p.id,
      name: p.name,
      path: p.path,
      selected: view.selectedProjectId === p.id,
      total: 0,
      running: 0,
      waiting: 0,
      failed: 0,
      done: 0,
    });
  }
  for (const id of view.taskOrder) {
    const t = view.tasks[id];
    const s = t && out.get(t.projectId);
    if (!t || !s) continue;
    s.total++;
    const tone = toneOf(t.state.status);
    if (tone === "done") s.done++;
    else if (tone === "running") s.running++;
    else if (tone === "failed" || tone === "idle") s.failed++;
    else s.waiting++;
  }
  return [...out.values()].sort((a, b) => Number(b.selected) - Number(a.selected) || a.name.localeCompare(b.name));
}
