import { useMemo } from "react";
import { links } from "../../router.js";
import { labelOf } from "../../ui/status.js";
import { clip, layoutDag, pathOf, type GraphTask } from "./dag-layout.js";

/** A plan's DAG as SVG: tasks coloured by live status, edges from each dependency to its dependents. */
export function DagGraph({
  tasks,
  deps,
}: {
  tasks: readonly GraphTask[];
  deps: Readonly<Record<string, readonly string[]>>;
}) {
  const g = useMemo(() => layoutDag(tasks, deps), [tasks, deps]);
  return (
    <div className="dag">
      <svg
        width={g.width}
        height={g.height}
        viewBox={`0 0 ${g.width} ${g.height}`}
        role="img"
        aria-label={`plan graph: ${g.nodes.length} tasks, ${g.edges.length} dependencies`}
      >
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
            <path d="M0,0 L10,5 L0,10 z" />
          </marker>
        </defs>
        {g.edges.map((e) => (
          <path
            key={`${e.from}>${e.to}`}
            className={e.satisfied ? "edge satisfied" : "edge"}
            d={pathOf(e.points)}
            markerEnd="url(#arrow)"
          />
        ))}
        {g.nodes.map((n) => (
          <a key={n.id} href={links.task(n.id)} className={`node tone-${n.tone}`} data-task={n.id}>
            <title>
              {`${n.title}\n${labelOf(n.status)}${n.waitingFor !== undefined ? `\nwaiting for: ${n.waitingFor}` : ""}`}
            </title>
            <rect x={n.x - n.width / 2} y={n.y - n.height / 2} width={n.width} height={n.height} rx={6} />
            <text x={n.x - n.width / 2 + 10} y={n.y - 4}>
              {clip(n.title)}
            </text>
            <text className="sub" x={n.x - n.width / 2 + 10} y={n.y + 13}>
              {n.waitingFor !== undefined ? clip(`⏳ ${n.waitingFor}`, 28) : labelOf(n.status)}
            </text>
          </a>
        ))}
      </svg>
    </div>
  );
}
