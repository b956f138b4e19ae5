import { reduceAll, type FlotillaClient, type ViewState } from "@flotilla/client";
import type { FlotillaEvent } from "@flotilla/protocol";

/** Log pages read per task when filling its pane on start. */
const BACKFILL_LIMIT = 2000;

function isOutput(e: FlotillaEvent): boolean {
  return e.payload.type === "run.output" || e.payload.type === "run.agent-event";
}

/**
 * A snapshot carries no output; this fills the panes of the tasks a person looks at first (at
 * work, or needing them) from the stored event log, through the same reducer. Only output events
 * at or below the snapshot's seq are replayed, so nothing is applied twice.
 */
export async function backfillOutput(client: FlotillaClient, state: ViewState): Promise<ViewState> {
  const ids = new Set(state.needsYou.map((n) => n.taskId));
  for (const t of Object.values(state.tasks)) {
    if (["preparing", "running", "verifying", "reviewing"].includes(t.state.status)) ids.add(t.id);
  }
  if (ids.size === 0) return state;
  const pages = await Promise.all(
    [...ids].map((task) => client.eventLog({ task, since: 0, limit: BACKFILL_LIMIT }).catch(() => undefined)),
  );
  const events: FlotillaEvent[] = pages
    .flatMap((p) => p?.events ?? [])
    .filter((e) => isOutput(e) && e.seq <= state.lastSeq)
    .sort((a, b) => a.seq - b.seq);
  if (events.length === 0) return state;
  const replayed = reduceAll({ ...state, lastSeq: 0 }, events);
  return { ...replayed, lastSeq: state.lastSeq };
}
