import { useMemo, useState } from "react";
import type { Metrics } from "@flotilla/client";
import { links } from "../../router.js";
import { useClient, useLiveView } from "../../state/flotilla.js";
import { useOnChange, useRemote } from "../../state/use-remote.js";
import { formatCost, formatDuration, formatTokens, shortId } from "../../ui/format.js";
import { Empty, ErrorState, Loading } from "../../ui/states.js";
import { BarChart, Columns, StackedBars } from "./charts.js";
import {
  attemptsHistogram,
  bucketLabel,
  costliest,
  stageMs,
  STAGES,
  stageTotals,
  throughput,
  totals,
} from "./metrics.js";

/** Durations per stage, throughput, attempts and cost, from `client.metrics()`. */
export function MetricsPage() {
  const view = useLiveView();
  const client = useClient();
  const [plan, setPlan] = useState("");
  const metrics = useRemote(() => client.metrics(plan ? { plan } : {}), `metrics:${plan}`);
  // Metrics come from the event log: refresh as tasks finish (at most every few seconds).
  useOnChange(view.counts, metrics.reload, 3000);
  const planIds = useMemo(
    () => [...new Set(view.taskOrder.map((id) => view.tasks[id]?.planId).filter((p): p is string => !!p))],
    [view.taskOrder, view.tasks],
  );

  return (
    <>
      <div className="page-head">
        <h1>Metrics</h1>
        {planIds.length > 0 && (
          <select aria-label="plan" value={plan} onChange={(e) => setPlan(e.target.value)}>
            <option value="">all tasks</option>
            {planIds.map((p) => (
              <option key={p} value={p}>
                plan {shortId(p)}
              </option>
            ))}
          </select>
        )}
      </div>
      {metrics.error ? (
        <ErrorState error={`metrics: ${metrics.error}`} onRetry={metrics.reload} />
      ) : metrics.loading || !metrics.data ? (
        <Loading what="loading metrics" />
      ) : metrics.data.tasks.length === 0 ? (
        <Empty>No metrics yet: they come from finished work.</Empty>
      ) : (
        <Charts m={metrics.data} />
      )}
    </>
  );
}

function Charts({ m }: { m: Metrics }) {
  const t = totals(m);
  const stages = stageTotals(m.tasks);
  const recent = [...m.tasks].sort((a, b) => (a.queuedAt < b.queuedAt ? 1 : -1)).slice(0, 15);
  const buckets = throughput(m.tasks);
  const attempts = attemptsHistogram(m.tasks);
  const costly = costliest(m.tasks);
  return (
    <>
      <div className="cards">
        <div className="card">
          <div className="num">{t.tasks}</div>
          <div className="label">tasks</div>
        </div>
        <div className="card tone-done">
          <div className="num">{t.merged}</div>
          <div className="label">merged</div>
        </div>
        <div className="card">
          <div className="num">{formatDuration(t.medianTotalMs)}</div>
          <div className="label">median queued → end</div>
        </div>
        <div className="card">
          <div className="num">{formatCost(t.costUsd)}</div>
          <div className="label">cost</div>
        </div>
        <div className="card">
          <div className="num">{formatTokens(t.inputTokens + t.outputTokens)}</div>
          <div className="label">
            tokens ({formatTokens(t.inputTokens)} in / {formatTokens(t.outputTokens)} out)
          </div>
        </div>
      </div>
      <div className="grid">
        <section className="panel">
          <h2>Average time per stage</h2>
          <BarChart
            label="average time per stage"
            rows={stages.map((s) => ({
              label: s.stage,
              value: s.avgMs,
              text: `${formatDuration(s.avgMs)} (${s.tasks})`,
            }))}
          />
        </section>
        <section className="panel">
          <h2>Throughput</h2>
          {buckets.length === 0 ? (
            <Empty>Nothing merged yet.</Empty>
          ) : (
            <Columns
              label="tasks merged over time"
              points={buckets.map((b) => ({
                label: bucketLabel(b),
                value: b.merged,
                title: `${new Date(b.start).toLocaleString()}: ${b.merged} merged`,
              }))}
            />
          )}
        </section>
        <section className="panel">
          <h2>Attempts per task</h2>
          <Columns
            label="tasks by number of coding attempts"
            points={attempts.map((a) => ({
              label: `${a.label} attempt${a.label === "1" ? "" : "s"}`,
              value: a.count,
              title: `${a.count} task(s) with ${a.label} attempt(s)`,
            }))}
          />
        </section>
        <section className="panel">
          <h2>Cost per task</h2>
          {costly.length === 0 ? (
            <Empty>No cost reported (the agents may not report usage).</Empty>
          ) : (
            <BarChart
              label="cost per task"
              rows={costly.map((x) => ({
                label: x.title,
                value: x.costUsd,
                text: formatCost(x.costUsd),
                href: links.task(x.taskId),
              }))}
            />
          )}
        </section>
      </div>
      <section className="panel">
        <h2>Time per stage, recent tasks</h2>
        <div className="legend">
          {STAGES.map((s) => (
            <span key={s}>
              <span className={`swatch stage-${s}`} />
              {s}
            </span>
          ))}
        </div>
        <StackedBars
          label="time per stage for recent tasks"
          rows={recent.map((x) => ({
            label: x.title,
            href: links.task(x.taskId),
            segments: STAGES.map((s) => ({ key: s, value: stageMs(x, s) })),
            text: formatDuration(STAGES.reduce((a, s) => a + stageMs(x, s), 0)),
          }))}
        />
      </section>
      {m.plans.length > 0 && (
        <section className="panel">
          <h2>Plans</h2>
          <div className="table-wrap">
            <table className="list">
              <thead>
                <tr>
                  <th>plan</th>
                  <th>tasks</th>
                  <th>merged</th>
                  <th>makespan</th>
                  <th className="hide-narrow">agent time</th>
                  <th>cost</th>
                </tr>
              </thead>
              <tbody>
                {m.plans.map((p) => (
                  <tr key={p.planId}>
                    <td className="mono">{shortId(p.planId)}</td>
                    <td>{p.tasks}</td>
                    <td>{p.merged}</td>
                    <td>{formatDuration(p.makespanMs)}</td>
                    <td className="hide-narrow">{formatDuration(p.agentMs)}</td>
                    <td>{formatCost(p.costUsd)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {m.plans.some((p) => p.costUsd > 0) && (
            <BarChart
              label="cost per plan"
              rows={m.plans.map((p) => ({
                label: `plan ${shortId(p.planId)}`,
                value: p.costUsd,
                text: formatCost(p.costUsd),
              }))}
            />
          )}
        </section>
      )}
    </>
  );
}
