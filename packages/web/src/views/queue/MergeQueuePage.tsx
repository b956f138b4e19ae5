import { useMemo } from "react";
import { links } from "../../router.js";
import { useClient, useLiveView } from "../../state/flotilla.js";
import { useOnChange, useRemote } from "../../state/use-remote.js";
import { navigate } from "../../shell/use-hash.js";
import { formatAgo, shortId } from "../../ui/format.js";
import { Empty, ErrorState, Loading } from "../../ui/states.js";
import { StatusBadge } from "../../ui/StatusBadge.js";
import { useListKeys } from "../../ui/use-keys.js";
import { batchRows, blockedOf, conflictsOf, queueEntries, type CiState } from "./queue.js";

const CI_TONE: Record<CiState, string> = {
  testing: "running",
  pass: "done",
  fail: "failed",
  blocked: "attention",
  aborted: "idle",
  none: "idle",
};

function CiBadge({ ci }: { ci: CiState }) {
  return <span className={`badge tone-${CI_TONE[ci]}`}>{ci === "none" ? "not tested" : `CI ${ci}`}</span>;
}

/** The merge queue: what waits to land (in order) with CI per entry, batches, conflicts. */
export function MergeQueuePage() {
  const view = useLiveView();
  const client = useClient();
  const remote = useRemote(() => client.mergeQueue(), "merge-queue");
  useOnChange(view.mergeQueue, remote.reload);
  const entries = useMemo(() => queueEntries(view, remote.data), [view, remote.data]);
  const conflicts = conflictsOf(view);
  const blocked = blockedOf(view);
  const rows = batchRows(remote.data?.batches ?? []);
  const [selected, setSelected] = useListKeys(entries.length, (i) => {
    const e = entries[i];
    if (e) navigate(links.task(e.taskId));
  });
  const now = Date.now();

  return (
    <>
      <div className="page-head">
        <h1>Merge queue</h1>
      </div>
      <section className="panel">
        <h2>Waiting to land</h2>
        {entries.length === 0 ? (
          <Empty>The queue is empty.</Empty>
        ) : (
          <ol className="rows">
            {entries.map((e, i) => (
              <li
                key={e.taskId}
                data-list-index={i}
                className={i === selected ? "selected" : undefined}
                onMouseEnter={() => setSelected(i)}
              >
                <span className="muted">{e.position}.</span> <a href={links.task(e.taskId)}>{e.title}</a>{" "}
                {e.task && <StatusBadge status={e.task.state.status} />} <CiBadge ci={e.ci} />
                {e.batch !== undefined && <span className="muted mono"> {shortId(e.batch)}</span>}
                {e.task && <span className="muted"> · {formatAgo(e.task.since, now)}</span>}
              </li>
            ))}
          </ol>
        )}
      </section>
      <div className="grid">
        <section className="panel">
          <h2>Conflicts</h2>
          {conflicts.length === 0 ? (
            <Empty>No conflicts.</Empty>
          ) : (
            <ul className="rows">
              {conflicts.map((c) => (
                <li key={c.taskId}>
                  <a href={links.task(c.taskId)}>{c.title}</a>{" "}
                  <span className="muted">
                    {c.files.length} file{c.files.length === 1 ? "" : "s"}
                  </span>
                  <ul className="files">
                    {c.files.map((f) => (
                      <li key={f}>{f}</li>
                    ))}
                  </ul>
                  {c.detail !== undefined && <div className="reason">{c.detail}</div>}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="panel">
          <h2>Blocked</h2>
          {blocked.length === 0 ? (
            <Empty>No merge is blocked.</Empty>
          ) : (
            <ul className="rows">
              {blocked.map((b) => (
                <li key={b.taskId}>
                  <a href={links.task(b.taskId)}>{b.title}</a>
                  <div className="reason">{b.reason}</div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <section className="panel">
        <h2>Batches</h2>
        {remote.error ? (
          <ErrorState error={`merge queue: ${remote.error}`} onRetry={remote.reload} />
        ) : remote.loading ? (
          <Loading what="loading batches" />
        ) : rows.length === 0 ? (
          <Empty>No batch has been tested yet.</Empty>
        ) : (
          <div className="table-wrap">
            <table className="list">
              <thead>
                <tr>
                  <th>batch</th>
                  <th>tasks</th>
                  <th>CI</th>
                  <th className="hide-narrow">target</th>
                  <th className="hide-narrow">candidate</th>
                  <th>started</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(({ batch: b, depth }) => (
                  <tr key={b.id}>
                    <td className="mono" style={{ paddingLeft: 8 + depth * 18 }}>
                      {depth > 0 ? "↳ " : ""}
                      {shortId(b.id)}
                    </td>
                    <td>
                      {b.taskIds.map((id) => (
                        <div key={id}>
                          <a href={links.task(id)}>{view.tasks[id]?.title ?? shortId(id)}</a>
                        </div>
                      ))}
                    </td>
                    <td>
                      <CiBadge ci={b.status} />
                      {!b.ciRan && b.status === "pass" && <div className="reason">a PASS on this tree, reused</div>}
                    </td>
                    <td className="hide-narrow mono">{b.target}</td>
                    <td className="hide-narrow mono">{b.candidate?.slice(0, 10) ?? "–"}</td>
                    <td className="muted">{formatAgo(b.startedAt, now)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
