import { useMemo, useState } from "react";
import type { TaskView, ViewState } from "@flotilla/client";
import { links } from "../../router.js";
import { useClient, useLiveView } from "../../state/flotilla.js";
import { useOnChange, useRemote } from "../../state/use-remote.js";
import { formatAgo, shortId } from "../../ui/format.js";
import { Empty, ErrorState, Loading } from "../../ui/states.js";
import { StatusBadge } from "../../ui/StatusBadge.js";
import { DagGraph } from "./DagGraph.js";
import { graphTasksOf, plansOf, projectSummaries } from "./dag-layout.js";

/** The fleet at a glance: counts, projects, the plan's graph, who waits for what, what needs you. */
export function Dashboard() {
  const view = useLiveView();
  const c = view.counts;
  return (
    <>
      <div className="page-head">
        <h1>Dashboard</h1>
      </div>
      <div className="cards">
        <Card label="tasks" value={c.total} tone="idle" />
        <Card label="running" value={c.running} tone="running" />
        <Card label="waiting" value={c.waiting} tone="waiting" />
        <Card label="need you" value={view.needsYou.length} tone="attention" href={links.inbox} />
        <Card label="failed" value={c.failed} tone="failed" />
        <Card label="done" value={c.done} tone="done" />
      </div>
      <PlanPanel view={view} />
      <div className="grid">
        <NeedsYouPanel view={view} />
        <WaitingPanel view={view} />
        <ProjectsPanel view={view} />
      </div>
    </>
  );
}

function Card({ label, value, tone, href }: { label: string; value: number; tone: string; href?: string }) {
  const body = (
    <>
      <div className="num">{value}</div>
      <div className="label">{label}</div>
    </>
  );
  return href ? (
    <a className={`card tone-${tone}`} href={href}>
      {body}
    </a>
  ) : (
    <div className={`card tone-${tone}`}>{body}</div>
  );
}

function PlanPanel({ view }: { view: ViewState }) {
  const client = useClient();
  const groups = useMemo(() => plansOf(view), [view]);
  const planGroups = groups.filter((g) => g.planId !== undefined);
  const [chosen, setChosen] = useState<string | undefined>(undefined);
  const current = groups.find((g) => (g.planId ?? "") === chosen) ?? planGroups.at(-1) ?? groups.find((g) => !g.planId);
  // Dependencies do not change once a task exists: fetched, refreshed when tasks are added.
  const deps = useRemote(async () => {
    const tasks = await client.listTasks();
    return Object.fromEntries(tasks.map((t) => [t.id, t.dependsOn]));
  }, "deps");
  useOnChange(view.taskOrder.length, deps.reload);
  const names = useRemote(async () => {
    const plans = await client.listPlans().catch(() => []);
    return Object.fromEntries(plans.map((p) => [p.id, p.name]));
  }, "plan-names");
  useOnChange(planGroups.length, names.reload);
  const tasks = useMemo(() => (current ? graphTasksOf(view, current.taskIds) : []), [view, current]);
  const nameOf = (planId: string | undefined) =>
    planId === undefined ? "tasks without a plan" : (names.data?.[planId] ?? `plan ${shortId(planId)}`);

  return (
    <section className="panel">
      <h2>
        <span style={{ flex: 1 }}>Plan</span>
        {groups.length > 1 && (
          <select aria-label="plan" value={current?.planId ?? ""} onChange={(e) => setChosen(e.target.value)}>
            {groups.map((g) => (
              <option key={g.planId ?? ""} value={g.planId ?? ""}>
                {nameOf(g.planId)} ({g.taskIds.length})
              </option>
            ))}
          </select>
        )}
        {groups.length === 1 && <span className="muted">{nameOf(current?.planId)}</span>}
      </h2>
      {!current ? (
        <Empty>
          No tasks yet. Start one with <code>flotilla run "…"</code>, or a plan with{" "}
          <code>flotilla plan "…" --run</code>.
        </Empty>
      ) : deps.error ? (
        <ErrorState error={`dependencies: ${deps.error}`} onRetry={deps.reload} />
      ) : deps.loading ? (
        <Loading what="loading the plan's dependencies" />
      ) : (
        <DagGraph tasks={tasks} deps={deps.data ?? {}} />
      )}
    </section>
  );
}

function NeedsYouPanel({ view }: { view: ViewState }) {
  return (
    <section className="panel">
      <h2>Needs you</h2>
      {view.needsYou.length === 0 ? (
        <Empty>Nothing needs you.</Empty>
      ) : (
        <ul className="rows">
          {view.needsYou.map((n) => {
            const t = view.tasks[n.taskId];
            return (
              <li key={`${n.taskId}:${n.kind}`}>
                <a href={links.task(n.taskId)}>{t?.title ?? n.taskId}</a> {t && <StatusBadge status={t.state.status} />}
                <div className="reason">{n.reason}</div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function WaitingPanel({ view }: { view: ViewState }) {
  const now = Date.now();
  const waiting = view.taskOrder
    .map((id) => view.tasks[id])
    .filter((t): t is TaskView => t !== undefined && t.state.status === "queued");
  return (
    <section className="panel">
      <h2>Waiting</h2>
      {waiting.length === 0 ? (
        <Empty>No task is waiting to start.</Empty>
      ) : (
        <ul className="rows">
          {waiting.map((t) => (
            <li key={t.id}>
              <a href={links.task(t.id)}>{t.title}</a> <span className="muted">{formatAgo(t.since, now)}</span>
              <div className="reason">{t.waitingFor ?? "waiting for the scheduler"}</div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function ProjectsPanel({ view }: { view: ViewState }) {
  const projects = projectSummaries(view);
  return (
    <section className="panel">
      <h2>Projects</h2>
      {projects.length === 0 ? (
        <Empty>
          No project yet: <code>flotilla project add /path/to/repo</code>.
        </Empty>
      ) : (
        <ul className="rows">
          {projects.map((p) => (
            <li key={p.id}>
              <strong>{p.name}</strong> {p.selected && <span className="badge tone-running">selected</span>}
              <div className="reason mono">{p.path}</div>
              <div className="muted">
                {p.total} tasks · {p.running} running · {p.waiting} waiting · {p.failed} failed · {p.done} done
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
