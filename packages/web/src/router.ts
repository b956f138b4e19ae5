/**
 * Hash routing, pure: `#/tasks/01J…/diff` → the route `/tasks/:id/diff` with `{ id }`. The app
 * lives at /ui/ on the daemon, so the hash keeps every view a static file away.
 */

export type RouteParams = Readonly<Record<string, string>>;

export interface RouteMatch<R> {
  route: R;
  params: RouteParams;
}

/** The path of a location hash: `#/inbox?x` → `/inbox`; empty → `/`. */
export function pathOfHash(hash: string): string {
  const raw = hash.replace(/^#/, "").split("?")[0] ?? "";
  const path = raw.startsWith("/") ? raw : `/${raw}`;
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

/** Matches one pattern (`/tasks/:id`) against a path, segment by segment; undefined when it does not fit. */
export function matchPath(pattern: string, path: string): RouteParams | undefined {
  const want = segments(pattern);
  const got = segments(path);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? "";
    const g = got[i] ?? "";
    if (w.startsWith(":")) {
      if (g === "") return undefined;
      try {
        params[w.slice(1)] = decodeURIComponent(g);
      } catch {
        return undefined;
      }
    } else if (w !== g) return undefined;
  }
  return params;
}

/** The first route whose path fits. */
export function matchRoute<R extends { path: string }>(routes: readonly R[], path: string): RouteMatch<R> | undefined {
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (params) return { route, params };
  }
  return undefined;
}

/** The hash for a pattern with its params filled in: `hrefOf("/tasks/:id", { id })` → `#/tasks/…`. */
export function hrefOf(pattern: string, params: RouteParams = {}): string {
  const path = segments(pattern)
    .map((s) => (s.startsWith(":") ? encodeURIComponent(params[s.slice(1)] ?? "") : s))
    .join("/");
  return `#/${path}`;
}

function segments(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

/** Links to a task's views, in one place. */
export const links = {
  dashboard: "#/dashboard",
  tasks: "#/tasks",
  inbox: "#/inbox",
  queue: "#/queue",
  metrics: "#/metrics",
  keys: "#/keys",
  task: (id: string) => hrefOf("/tasks/:id", { id }),
  diff: (id: string) => hrefOf("/tasks/:id/diff", { id }),
  terminal: (id: string) => hrefOf("/tasks/:id/terminal", { id }),
  /** Not a view: the zip download, served by the API on the same origin. */
  exportZip: (id: string) => `/tasks/${encodeURIComponent(id)}/export`,
};
