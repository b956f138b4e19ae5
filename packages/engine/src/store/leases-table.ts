import type { Db } from "./database.js";

/** A write-lock held by a task: its write globs, its owner process and its last heartbeat. */
export interface LeaseRecord {
  taskId: string;
  projectId: string;
  globs: string[];
  ownerPid: number;
  ownerStartedAt: string;
  acquiredAt: string;
  heartbeatAt: string;
}

interface LeaseRow {
  task_id: string;
  project_id: string;
  globs_json: string;
  owner_pid: number;
  owner_started_at: string;
  acquired_at: string;
  heartbeat_at: string;
}

const toLease = (r: LeaseRow): LeaseRecord => ({
  taskId: r.task_id,
  projectId: r.project_id,
  globs: JSON.parse(r.globs_json) as string[],
  ownerPid: r.owner_pid,
  ownerStartedAt: r.owner_started_at,
  acquiredAt: r.acquired_at,
  heartbeatAt: r.heartbeat_at,
});

/** The `leases` table: one row per task that holds its write globs. */
export function createLeasesTable(db: Db) {
  return {
    /** Inserts the lease, or replaces the task's existing one. */
    put(l: LeaseRecord): void {
      db.prepare(
        `INSERT INTO leases (task_id, project_id, globs_json, owner_pid, owner_started_at, acquired_at, heartbeat_at)
         VALUES (@taskId, @projectId, @globs, @ownerPid, @ownerStartedAt, @acquiredAt, @heartbeatAt)
         ON CONFLICT(task_id) DO UPDATE SET project_id = excluded.project_id, globs_json = excluded.globs_json,
           owner_pid = excluded.owner_pid, owner_started_at = excluded.owner_started_at,
           acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
      ).run({ ...l, globs: JSON.stringify(l.globs) });
    },
    get(taskId: string): LeaseRecord | undefined {
      const r = db.prepare("SELECT * FROM leases WHERE task_id = ?").get(taskId) as LeaseRow | undefined;
      return r && toLease(r);
    },
    /** Every lease, or one project's, oldest first. */
    list(filter: { projectId?: string } = {}): LeaseRecord[] {
      const rows =
        filter.projectId === undefined
          ? db.prepare("SELECT * FROM leases ORDER BY acquired_at, task_id").all()
          : db.prepare("SELECT * FROM leases WHERE project_id = ? ORDER BY acquired_at, task_id").all(filter.projectId);
      return (rows as LeaseRow[]).map(toLease);
    },
    /** Returns false when the task holds no lease. */
    touch(taskId: string, at: string): boolean {
      return db.prepare("UPDATE leases SET heartbeat_at = ? WHERE task_id = ?").run(at, taskId).changes > 0;
    },
    /** Returns false when the task held no lease. */
    delete(taskId: string): boolean {
      return db.prepare("DELETE FROM leases WHERE task_id = ?").run(taskId).changes > 0;
    },
  };
}
export type LeasesTable = ReturnType<typeof createLeasesTable>;
