import type { Db } from "./database.js";

/**
 * A pooled worktree's state: `creating` while `git worktree add` runs (not yet usable),
 * `idle` when clean and free, `taken` while a task works in it.
 */
export type PoolState = "creating" | "idle" | "taken";

export interface PoolEntry {
  path: string;
  projectId: string;
  state: PoolState;
  taskId?: string;
  createdAt: string;
  updatedAt: string;
}

interface PoolRow {
  path: string;
  project_id: string;
  state: string;
  task_id: string | null;
  created_at: string;
  updated_at: string;
}

const toEntry = (r: PoolRow): PoolEntry => ({
  path: r.path,
  projectId: r.project_id,
  state: r.state as PoolState,
  ...(r.task_id !== null ? { taskId: r.task_id } : {}),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The `worktree_pool` table: the worktrees Flotilla keeps to reuse, per project. */
export function createPoolTable(db: Db) {
  return {
    insert(e: PoolEntry): void {
      db.prepare(
        `INSERT INTO worktree_pool (path, project_id, state, task_id, created_at, updated_at)
         VALUES (@path, @projectId, @state, @taskId, @createdAt, @updatedAt)`,
      ).run({ ...e, taskId: e.taskId ?? null });
    },
    get(path: string): PoolEntry | undefined {
      const r = db.prepare("SELECT * FROM worktree_pool WHERE path = ?").get(path) as PoolRow | undefined;
      return r && toEntry(r);
    },
    /** A project's entries (optionally in one state), most recently used first. */
    list(filter: { projectId?: string; state?: PoolState } = {}): PoolEntry[] {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.projectId !== undefined) {
        where.push("project_id = ?");
        params.push(filter.projectId);
      }
      if (filter.state !== undefined) {
        where.push("state = ?");
        params.push(filter.state);
      }
      const sql = `SELECT * FROM worktree_pool ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
        ORDER BY updated_at DESC, path`;
      return (db.prepare(sql).all(...params) as PoolRow[]).map(toEntry);
    },
    setState(path: string, state: PoolState, taskId: string | undefined, at: string): void {
      db.prepare("UPDATE worktree_pool SET state = ?, task_id = ?, updated_at = ? WHERE path = ?").run(
        state,
        taskId ?? null,
        at,
        path,
      );
    },
    delete(path: string): boolean {
      return db.prepare("DELETE FROM worktree_pool WHERE path = ?").run(path).changes > 0;
    },
  };
}
export type PoolTable = ReturnType<typeof createPoolTable>;
