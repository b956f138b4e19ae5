import { useState } from "react";
import type { ViewRoute } from "../routes.js";
import { hrefOf } from "../router.js";
import type { Connection } from "../state/connection.js";
import { CountBadge } from "../ui/StatusBadge.js";

/** The top bar: brand, the views marked `nav`, the needs-you badge, the link's status. */
export function Header({
  routes,
  current,
  needsYou,
  connection,
}: {
  routes: readonly ViewRoute[];
  current: ViewRoute | undefined;
  needsYou: number;
  connection: Connection;
}) {
  const [open, setOpen] = useState(false);
  return (
    <header className="topbar">
      <a className="brand" href="#/dashboard">
        <svg className="logo" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
          <path d="M8 1 L8 11 L3 11 Z M9 3 L13 11 L9 11 Z M1 12.5 H15 L13 15 H3 Z" />
        </svg>{" "}
        Flotilla
      </a>
      <button
        type="button"
        className="nav-toggle icon-button"
        aria-label="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        ☰
      </button>
      <nav className={open ? "nav nav-open" : "nav"} aria-label="views" onClick={() => setOpen(false)}>
        {routes
          .filter((r) => r.nav)
          .map((r) => (
            <a
              key={r.path}
              href={hrefOf(r.path)}
              className={current === r ? "nav-link active" : "nav-link"}
              aria-current={current === r ? "page" : undefined}
              title={r.shortcut ? `${r.title} (${r.shortcut})` : r.title}
            >
              {r.title}
              {r.path === "/inbox" && <CountBadge count={needsYou} label="need you" />}
            </a>
          ))}
      </nav>
      <a className={needsYou > 0 ? "needs-you needs-you-on" : "needs-you"} href="#/inbox" title="tasks that need you">
        {needsYou > 0 ? `${needsYou} need${needsYou === 1 ? "s" : ""} you` : "all clear"}
      </a>
      <span className={`conn conn-${connection}`} title={`event stream: ${connection}`} aria-label={connection} />
    </header>
  );
}
