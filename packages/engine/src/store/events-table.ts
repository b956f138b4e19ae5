import { EventPayloadSchema, type EventPayload, type FlotillaEvent } from "@flotilla/protocol";
import type { Db } from "./database.js";

interface EventRow {
  seq: number;
  at: string;
  payload_json: string;
}

const toEvent = (r: EventRow): FlotillaEvent => ({
  seq: r.seq,
  at: r.at,
  payload: EventPayloadSchema.parse(JSON.parse(r.payload_json)),
});

function idsOf(p: EventPayload): { taskId: string | null; runId: string | null } {
  return {
    taskId: "taskId" in p ? p.taskId : null,
    runId: "runId" in p ? p.runId : null,
  };
}

export function createEventsTable(db: Db) {
  const insert = db.prepare("INSERT INTO events (at, type, task_id, run_id, payload_json) VALUES (?, ?, ?, ?, ?)");
  return {
    append(payload: EventPayload, at: string): FlotillaEvent {
      const { taskId, runId } = idsOf(payload);
      const info = insert.run(at, payload.type, taskId, runId, JSON.stringify(payload));
      return { seq: Number(info.lastInsertRowid), at, payload };
    },
    since(
      afterSeq: number,
      options: { limit?: number; taskId?: string; types?: readonly string[] } = {},
    ): FlotillaEvent[] {
      const where = ["seq > ?"];
      const params: unknown[] = [afterSeq];
      if (options.taskId !== undefined) {
        where.push("task_id = ?");
        params.push(options.taskId);
      }
      if (options.types !== undefined && options.types.length > 0) {
        where.push(`type IN (${options.types.map(() => "?").join(", ")})`);
        params.push(...options.types);
      }
      params.push(options.limit ?? 10_000);
      return (
        db
          .prepare(`SELECT seq, at, payload_json FROM events WHERE ${where.join(" AND ")} ORDER BY seq LIMIT ?`)
          .all(...params) as EventRow[]
      ).map(toEvent);
    },
    latestSeq(): number {
      const r = db.prepare("SELECT MAX(seq) AS seq FROM events").get() as { seq: number | null };
      return r.seq ?? 0;
    },
  };
}
export type EventsTable = ReturnType<typeof createEventsTable>;
