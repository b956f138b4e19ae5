import type { Connection } from "../state/connection.js";

/** Shown while the event stream is down; the client reconnects and catches up by itself. */
export function ConnectionBanner({ connection, error }: { connection: Connection; error: string | undefined }) {
  if (connection !== "reconnecting") return null;
  return (
    <div className="banner banner-warn" role="status" aria-live="polite" title={error}>
      connection lost — reconnecting…
    </div>
  );
}
