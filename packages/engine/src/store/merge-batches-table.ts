import type { Db } from "./database.js";

/**
 * `testing` while CI runs; `pass` / `fail` its outcome; `blocked` when the candidate could not
 * land (files in the way in the checkout) and no CI was spent; `aborted` when Flotilla stopped
 * or the target moved before an outcome was known.
 */
export type MergeBatchStatus = "testing" | "pass" | "fail" | "blocked" | "aborted";

/** One CI run of the merge queue: a batch, or (with `parentId`) one bisection step of a batch. */
export interface MergeBatch {
  id: string;
  projectId: string;
  target: string;
  /** The batch this bisection step belongs to; absent for a batch. */
  parentId?: string;
  /** The tasks stacked in the candidate, in landing order. */
  taskIds: string[];
  /** The target tip the candidate was built on. */
  base?: string;
  /** The commit that CI tests: the stacked tip, exactly what would land. */
  candidate?: string;
  status: MergeBatchStatus;
  /** Whether the verify command actually ran (not when none is configured or a PASS was recorded). */
  ciRan: boolean;
  startedAt: string;
  finishedAt?: string;
}

interface MergeBatchRow {
  id: string;
  project_id: string;
  target: string;
  parent_id: string | null;
  task_ids_json: string;
  base: string | null;
  candidate: string | null;
  status: string;
  ci_ran: number;
  started_at: string;
  finished_at: string | null;
}

const toBatch = (r: MergeBatchRow): MergeBatch => ({
  id: r.id,
  projectId: r.project_id,
  target: r.target,
  ...(r.parent_id !== null ? { parentId: r.parent_id } : {}),
  taskIds: JSON.parse(r.task_ids_json) as string[],
  ...(r.base !== null ? { base: r.base } : {}),
  ...(r.candidate !== null ? { candidate: r.candidate } : {}),
  status: r.status as MergeBatchStatus,
  ciRan: r.ci_ran === 1,
  startedAt: r.started_at,
  ...(r.finished_at !== null ? { finishedAt: r.finished_at } : {}),
});

/** The `merge_batches` table: the merge queue's CI runs, the history its batch size adapts to. */
export function createMergeBatchesTable(db: Db) {
  return {
    insert(b: MergeBatch): void {
      db.prepare(
        `INSERT INTO merge_batches (id, project_id, target, parent_id, task_ids_json, base, candidate, status, ci_ran,
           started_at, finished_at)
         VALUES (@id, @projectId, @target, @parentId, @taskIds, @base, @candidate, @status, @ciRan, @startedAt,
           @finishedAt)`,
      ).run({
        ...b,
        parentId: b.parentId ?? null,
        taskIds: JSON.stringify(b.taskIds),
        base: b.base ?? null,
        candidate: b.candidate ?? null,
        ciRan: b.ciRan ? 1 : 0,
        finishedAt: b.finishedAt ?? null,
      });
    },
    /** Records an outcome. */
    finish(id: string, outcome: { status: MergeBatchStatus; ciRan?: boolean; finishedAt: string }): void {
      db.prepare("UPDATE merge_batches SET status = ?, ci_ran = COALESCE(?, ci_ran), finished_at = ? WHERE id = ?").run(
        outcome.status,
        outcome.ciRan === undefined ? null : outcome.ciRan ? 1 : 0,
        outcome.finishedAt,
        id,
      );
    },
    get(id: string): MergeBatch | undefined {
      const r = db.prepare("SELECT * FROM merge_batches WHERE id = ?").get(id) as MergeBatchRow | undefined;
      return r && toBatch(r);
    },
    /**
     * A queue's rows, newest first: with `batchesOnly`, only batches (not bisection steps); with
     * `finished`, only those with an outcome of pass or fail.
     */
    recent(
      projectId: string,
      target: string,
      options: { limit?: number; batchesOnly?: boolean; finished?: boolean } = {},
    ): MergeBatch[] {
      const where = ["project_id = ?", "target = ?"];
      if (options.batchesOnly) where.push("parent_id IS NULL");
      if (options.finished) where.push("status IN ('pass', 'fail')");
      return (
        db
          .prepare(
            `SELECT * FROM merge_batches WHERE ${where.join(" AND ")} ORDER BY started_at DESC, rowid DESC LIMIT ?`,
          )
          .all(projectId, target, options.limit ?? 50) as MergeBatchRow[]
      ).map(toBatch);
    },
    /** The bisection steps of a batch, in the order they ran. */
    steps(parentId: string): MergeBatch[] {
      return (
        db
          .prepare("SELECT * FROM merge_batches WHERE parent_id = ? ORDER BY started_at, rowid")
          .all(parentId) as MergeBatchRow[]
      ).map(toBatch);
    },
  };
}
export type MergeBatchesTable = ReturnType<typeof createMergeBatchesTable>;
