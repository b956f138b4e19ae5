import { lazy, type ReactNode } from "react";
import type { RouteParams } from "./router.js";
import { Dashboard } from "./views/dashboard/Dashboard.js";
import { TaskList } from "./views/tasks/TaskList.js";
import { InboxPage } from "./views/inbox/InboxPage.js";
import { MergeQueuePage } from "./views/queue/MergeQueuePage.js";
import { MetricsPage } from "./views/metrics/MetricsPage.js";

// The heavier views load on first use (App wraps routes in Suspense): xterm.js for the terminal,
// the markdown renderer for the session chat, the diff review.
const SessionView = lazy(async () => ({ default: (await import("./views/tasks/SessionView.js")).SessionView }));
const ReviewView = lazy(async () => ({ default: (await import("./views/review/ReviewView.js")).ReviewView }));
const TerminalView = lazy(async () => ({
  default: (await import("./views/terminal/TerminalView.js")).TerminalView,
}));
import { KeysView } from "./views/keys/KeysView.js";

/** One view of the app: where it lives (hash path), what it is called, how to reach it. */
export interface ViewRoute {
  /** A hash path pattern: `/tasks/:id/diff` is `#/tasks/<id>/diff`; params are decoded. */
  path: string;
  /** The page title (and the nav label when `nav` is set). */
  title: string;
  /** A key sequence that opens it (`g d`); only for views without params. Listed by `?`. */
  shortcut?: string;
  /** Shown in the top navigation, in this list's order. */
  nav?: boolean;
  element: (params: RouteParams) => ReactNode;
}

/** The route an empty hash goes to. */
export const HOME = "/dashboard";

/**
 * THE list of views. The first route whose path fits the hash wins, so a longer path with the
 * same prefix (`/tasks/:id/diff`) is matched by segments, never by prefix: order does not matter
 * between `/tasks/:id` and `/tasks/:id/diff`.
 */
export const routes: ViewRoute[] = [
  { path: "/dashboard", title: "Dashboard", shortcut: "g d", nav: true, element: () => <Dashboard /> },
  { path: "/tasks", title: "Sessions", shortcut: "g s", nav: true, element: () => <TaskList /> },
  { path: "/inbox", title: "Inbox", shortcut: "g i", nav: true, element: () => <InboxPage /> },
  { path: "/queue", title: "Merge queue", shortcut: "g q", nav: true, element: () => <MergeQueuePage /> },
  { path: "/metrics", title: "Metrics", shortcut: "g m", nav: true, element: () => <MetricsPage /> },
  { path: "/tasks/:id", title: "Session", element: (p) => <SessionView taskId={p.id ?? ""} /> },

  // The diff review (src/views/review/), the task's terminal (src/views/terminal/), provider keys.
  { path: "/tasks/:id/diff", title: "Diff", element: (p) => <ReviewView taskId={p.id ?? ""} /> },
  { path: "/tasks/:id/terminal", title: "Terminal", element: (p) => <TerminalView taskId={p.id ?? ""} /> },
  { path: "/keys", title: "Keys", shortcut: "g k", nav: true, element: () => <KeysView /> },
];
