import { useMemo } from "react";
import { links } from "../../router.js";
import { useLiveView } from "../../state/flotilla.js";
import { useInbox } from "../../state/inbox.js";
import { navigate } from "../../shell/use-hash.js";
import { Empty, ErrorState, Loading } from "../../ui/states.js";
import { useListKeys } from "../../ui/use-keys.js";
import { InboxItemCard } from "./InboxItemCard.js";
import { sortInbox } from "./inbox.js";

/** Everything waiting for a person, oldest first, each with its actions. */
export function InboxPage() {
  const view = useLiveView();
  const inbox = useInbox();
  const items = useMemo(() => sortInbox(inbox.data ?? []), [inbox.data]);
  const [selected, setSelected] = useListKeys(items.length, (i) => {
    const item = items[i];
    if (item) navigate(links.task(item.taskId));
  });

  return (
    <>
      <div className="page-head">
        <h1>Inbox</h1>
        <button type="button" onClick={inbox.reload}>
          Refresh
        </button>
      </div>
      {inbox.error ? (
        <>
          <ErrorState error={`inbox: ${inbox.error}`} onRetry={inbox.reload} />
          {view.needsYou.length > 0 && (
            <section className="panel" style={{ marginTop: 12 }}>
              <h2>Needs you (from the live view)</h2>
              <ul className="rows">
                {view.needsYou.map((n) => (
                  <li key={`${n.taskId}:${n.kind}`}>
                    <a href={links.task(n.taskId)}>{view.tasks[n.taskId]?.title ?? n.taskId}</a>{" "}
                    <span className="badge tone-attention">{n.kind.replace("_", " ")}</span>
                    <div className="reason">{n.reason}</div>
                  </li>
                ))}
              </ul>
            </section>
          )}
        </>
      ) : inbox.loading ? (
        <Loading what="loading the inbox" />
      ) : items.length === 0 ? (
        <Empty>Inbox zero: nothing needs you.</Empty>
      ) : (
        <ul className="rows panel" style={{ padding: 0 }}>
          {items.map((item, i) => (
            <li
              key={item.id}
              data-list-index={i}
              className={i === selected ? "selected" : undefined}
              onFocus={() => setSelected(i)}
            >
              <InboxItemCard item={item} onDone={inbox.reload} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
