import type { BatchResult, FlotillaClient, Snapshot } from "@flotilla/client";
import { EventLogQuerySchema } from "@flotilla/client";
import type { Engine } from "@flotilla/engine";
import type { ApiDeps } from "./api-deps.js";

export type EventsApi = Pick<FlotillaClient, "snapshot" | "eventLog">;

const BATCH_HISTORY = 20;

export function createEventsApi({ engine }: ApiDeps): EventsApi {
  return {
    snapshot: async () => buildSnapshot(engine),
    async eventLog(query = {}) {
      const q = EventLogQuerySchema.parse(query);
      const events = engine.store.read.events.since(q.since, {
        limit: q.limit,
        ...(q.task !== undefined ? { taskId: q.task } : {}),
      });
      return { events, lastSeq: engine.store.read.events.latestSeq() };
    },
  };
}

/**
 * The view's raw material as of `seq`. The seq is read FIRST: what is read after it may already
 * include later changes, and replaying those events on top changes nothing (the reducer's
 * handling of every event is idempotent on state it already shows).
 */
export function buildSnapshot(engine: Engine): Snapshot {
  const { read } = engine.store;
  const seq = read.events.latestSeq();
  const selected = engine.projects.selected();
  const tasks = read.tasks.list();
  const batches: BatchResult[] = read.events
    .since(0, { types: ["merge.batch-tested"], limit: 1_000_000 })
    .slice(-BATCH_HISTORY)
    .flatMap((e) =>
      e.payload.type === "merge.batch-tested"
        ? [
            {
              projectId: e.payload.projectId,
              target: e.payload.target,
              taskIds: e.payload.taskIds,
              candidate: e.payload.candidate,
              status: e.payload.status,
              at: e.at,
            },
          ]
        : [],
    );
  return {
    seq,
    projects: engine.projects.list(),
    ...(selected ? { selectedProjectId: selected.id } : {}),
    tasks,
    runs: tasks.flatMap((t) => read.runs.listForTask(t.id)),
    batches,
  };
}
