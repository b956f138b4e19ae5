import { Suspense, useEffect, useMemo, useState } from "react";
import { HOME, routes as allRoutes, type ViewRoute } from "./routes.js";
import { hrefOf, matchRoute, pathOfHash } from "./router.js";
import { useFlotilla, useStore } from "./state/flotilla.js";
import { InboxProvider, useInbox } from "./state/inbox.js";
import { ConnectionBanner } from "./shell/ConnectionBanner.js";
import { Header } from "./shell/Header.js";
import { HelpOverlay } from "./shell/HelpOverlay.js";
import { LoginPage } from "./shell/LoginPage.js";
import { navigate, redirect, useHashPath } from "./shell/use-hash.js";
import { ErrorState, Loading } from "./ui/states.js";
import { useShortcuts } from "./ui/use-keys.js";
import { PermissionModal } from "./views/inbox/PermissionModal.js";

/** The shell: header, banner, the view the hash names, the permissions modal, keyboard help. */
export function App({ routes = allRoutes }: { routes?: readonly ViewRoute[] }) {
  const { view, connection, error } = useFlotilla();
  const store = useStore();
  const path = useHashPath();
  const match = matchRoute(routes, path);
  const [help, setHelp] = useState(false);

  useEffect(() => {
    // Read the hash now: it may have moved since this render.
    if (pathOfHash(window.location.hash) === "/") redirect(hrefOf(HOME));
  }, [path]);
  useEffect(() => {
    document.title = match ? `${match.route.title} · Flotilla` : "Flotilla";
  }, [match]);

  const bindings = useMemo(
    () => [
      ...routes
        .filter((r) => r.shortcut)
        .map((r) => ({ keys: r.shortcut ?? "", action: () => navigate(hrefOf(r.path)) })),
      { keys: "?", action: () => setHelp((h) => !h) },
    ],
    [routes],
  );
  useShortcuts(bindings);

  if (connection === "unauthorized") return <LoginPage onRetry={() => store.start()} />;

  return (
    <InboxProvider>
      <div className="app">
        <Header routes={routes} current={match?.route} needsYou={view?.needsYou.length ?? 0} connection={connection} />
        <ConnectionBanner connection={connection} error={error} />
        <main className="main" id="main">
          {!view ? (
            connection === "reconnecting" ? (
              <ErrorState error={`cannot reach the Flotilla daemon${error ? `: ${error}` : ""}`} />
            ) : (
              <Loading what="connecting to Flotilla" />
            )
          ) : match ? (
            // A view may be lazy (React.lazy in routes.tsx): it loads under this fallback.
            <Suspense fallback={<Loading />}>{match.route.element(match.params)}</Suspense>
          ) : (
            <ErrorState error={`no view at ${path}`} onRetry={() => navigate(HOME)} retryLabel="go to the dashboard" />
          )}
        </main>
        {view && <InboxModal />}
        {help && <HelpOverlay routes={routes} onClose={() => setHelp(false)} />}
      </div>
    </InboxProvider>
  );
}

function InboxModal() {
  const inbox = useInbox();
  return <PermissionModal inbox={inbox} />;
}
