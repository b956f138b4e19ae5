import { useMemo, useState } from "react";
import { links } from "../../router.js";
import { useLiveView } from "../../state/flotilla.js";
import { navigate } from "../../shell/use-hash.js";
import { formatAgo } from "../../ui/format.js";
import { Empty } from "../../ui/states.js";
import { detailOf } from "../../ui/status.js";
import { StatusBadge } from "../../ui/StatusBadge.js";
import { useListKeys } from "../../ui/use-keys.js";
import { countByFilter, filterTasks, NO_FILTER, STATUS_FILTERS, type TaskFilter } from "./task-filter.js";

/** Every task (session), filtered by status family, project and words; j/k + Enter to open. */
export function TaskList() {
  const view = useLiveView();
  const [filter, setFilter] = useState<TaskFilter>(NO_FILTER);
  const tasks = useMemo(() => filterTasks(view, filter), [view, filter]);
  const counts = useMemo(() => countByFilter(view, filter.project), [view, filter.project]);
  const projects = Object.values(view.projects);
  const [selected, setSelected] = useListKeys(tasks.length, (i) => {
    const t = tasks[i];
    if (t) navigate(links.task(t.id));
  });
  const now = Date.now();

  return (
    <>
      <div className="page-head">
        <h1>Sessions</h1>
        <input
          type="search"
          aria-label="search tasks"
          placeholder="search"
          value={filter.text}
          onChange={(e) => setFilter({ ...filter, text: e.target.value })}
        />
        {projects.length > 1 && (
          <select
            aria-label="project"
            value={filter.project}
            onChange={(e) => setFilter({ ...filter, project: e.target.value })}
          >
            <option value="all">all projects</option>
            {projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        )}
      </div>
      <div className="filters" role="group" aria-label="status">
        {STATUS_FILTERS.map((f) => (
          <button
            key={f.value}
            type="button"
            className={filter.status === f.value ? "chip on" : "chip"}
            aria-pressed={filter.status === f.value}
            onClick={() => setFilter({ ...filter, status: f.value })}
          >
            {f.label} {counts[f.value]}
          </button>
        ))}
      </div>
      {tasks.length === 0 ? (
        <Empty>{view.taskOrder.length === 0 ? "No tasks yet." : "No task matches this filter."}</Empty>
      ) : (
        <div className="panel table-wrap" style={{ padding: 0 }}>
          <table className="list">
            <thead>
              <tr>
                <th>task</th>
                <th>status</th>
                <th className="hide-narrow">agent</th>
                <th className="hide-narrow">attempts</th>
                <th>since</th>
              </tr>
            </thead>
            <tbody>
              {tasks.map((t, i) => {
                const detail = t.waitingFor ?? detailOf(t.state);
                return (
                  <tr
                    key={t.id}
                    data-list-index={i}
                    className={i === selected ? "selected" : undefined}
                    onMouseEnter={() => setSelected(i)}
                  >
                    <td>
                      <a href={links.task(t.id)}>{t.title}</a>
                      {detail !== undefined && <div className="reason">{detail}</div>}
                    </td>
                    <td>
                      <StatusBadge status={t.state.status} />
                    </td>
                    <td className="hide-narrow">{t.agent ?? "–"}</td>
                    <td className="hide-narrow">{t.attempts}</td>
                    <td className="muted">{formatAgo(t.since, now)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
