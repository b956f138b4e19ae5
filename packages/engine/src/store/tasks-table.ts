import { TaskStatusSchema, type Command, type Task, type TaskStatus } from "@flotilla/protocol";
import type { Db } from "./database.js";
import { fromJson, orUndefined, toJson } from "./json-column.js";

interface TaskRow {
  id: string;
  project_id: string;
  title: string;
  prompt: string;
  agent: string;
  script_json: string | null;
  verify_json: string | null;
  writes_json: string;
  depends_json: string;
  priority: number;
  target_branch: string;
  branch: string;
  worktree_path: string | null;
  base_commit: string | null;
  head_commit: string | null;
  attempts: number;
  status: string;
  state_json: string;
  cancel_requested: number;
  plan_id: string | null;
  plan_key: string | null;
  review_json: string | null;
  watchdog_json: string | null;
  budget_json: string | null;
  hold_for_approval: number;
  rounds_json: string;
  waiting_for: string | null;
  created_at: string;
  updated_at: string;
}

function toTask(r: TaskRow): Task {
  const verify = fromJson<Command | undefined>(r.verify_json, undefined);
  const script = fromJson<unknown>(r.script_json, undefined);
  const review = fromJson<Task["review"]>(r.review_json, undefined);
  const rounds = { verify: 0, review: 0, conflict: 0, ...fromJson<Partial<Task["rounds"]>>(r.rounds_json, {}) };
  const watchdog = fromJson<Task["watchdog"]>(r.watchdog_json, undefined);
  const budget = fromJson<Task["budget"]>(r.budget_json, undefined);
  return {
    id: r.id,
    projectId: r.project_id,
    title: r.title,
    prompt: r.prompt,
    agent: r.agent,
    ...(script !== undefined ? { script } : {}),
    ...(verify !== undefined ? { verify } : {}),
    writes: fromJson<string[]>(r.writes_json, []),
    dependsOn: fromJson<string[]>(r.depends_json, []),
    priority: r.priority,
    targetBranch: r.target_branch,
    branch: r.branch,
    ...(r.worktree_path !== null ? { worktreePath: r.worktree_path } : {}),
    ...(r.base_commit !== null ? { baseCommit: r.base_commit } : {}),
    ...(r.head_commit !== null ? { headCommit: r.head_commit } : {}),
    attempts: r.attempts,
    ...(review !== undefined ? { review } : {}),
    ...(watchdog !== undefined ? { watchdog } : {}),
    ...(budget !== undefined ? { budget } : {}),
    holdForApproval: r.hold_for_approval === 1,
    ...(r.plan_id !== null ? { planId: r.plan_id } : {}),
    ...(r.plan_key !== null ? { planKey: r.plan_key } : {}),
    rounds,
    ...(r.waiting_for !== null ? { waitingFor: r.waiting_for } : {}),
    state: TaskStatusSchema.parse(JSON.parse(r.state_json)),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** Fields of a task that change as it moves along; the status itself changes only via setState. */
export type TaskPatch = Partial<
  Pick<Task, "worktreePath" | "baseCommit" | "headCommit" | "attempts" | "rounds" | "waitingFor" | "holdForApproval">
>;

export function createTasksTable(db: Db) {
  return {
    insert(t: Task): void {
      db.prepare(
        `INSERT INTO tasks (id, project_id, title, prompt, agent, script_json, verify_json, writes_json, depends_json,
           priority, target_branch, branch, worktree_path, base_commit, head_commit, attempts, status, state_json,
           plan_id, plan_key, review_json, watchdog_json, budget_json, hold_for_approval, rounds_json, created_at,
           updated_at)
         VALUES (@id, @projectId, @title, @prompt, @agent, @script, @verify, @writes, @depends, @priority, @targetBranch,
           @branch, @worktreePath, @baseCommit, @headCommit, @attempts, @status, @state, @planId, @planKey, @review,
           @watchdog, @budget, @hold, @rounds, @createdAt, @updatedAt)`,
      ).run({
        ...t,
        script: toJson(t.script),
        verify: toJson(t.verify),
        writes: JSON.stringify(t.writes),
        depends: JSON.stringify(t.dependsOn),
        worktreePath: t.worktreePath ?? null,
        baseCommit: t.baseCommit ?? null,
        headCommit: t.headCommit ?? null,
        status: t.state.status,
        state: JSON.stringify(t.state),
        planId: t.planId ?? null,
        planKey: t.planKey ?? null,
        review: toJson(t.review),
        watchdog: toJson(t.watchdog),
        budget: toJson(t.budget),
        hold: t.holdForApproval ? 1 : 0,
        rounds: JSON.stringify(t.rounds),
      });
    },
    get(id: string): Task | undefined {
      const r = db.prepare("SELECT * FROM tasks WHERE id = ?").get(id) as TaskRow | undefined;
      return r && toTask(r);
    },
    list(filter: { projectId?: string; planId?: string; statuses?: readonly string[] } = {}): Task[] {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.planId !== undefined) {
        where.push("plan_id = ?");
        params.push(filter.planId);
      }
      if (filter.projectId !== undefined) {
        where.push("project_id = ?");
        params.push(filter.projectId);
      }
      if (filter.statuses !== undefined && filter.statuses.length > 0) {
        where.push(`status IN (${filter.statuses.map(() => "?").join(", ")})`);
        params.push(...filter.statuses);
      }
      const sql = `SELECT * FROM tasks ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at, id`;
      return (db.prepare(sql).all(...params) as TaskRow[]).map(toTask);
    },
    /** Only the state machine (tasks/task-transitions.ts) decides whether this move is allowed. */
    setState(id: string, state: TaskStatus, at: string): void {
      db.prepare("UPDATE tasks SET status = ?, state_json = ?, updated_at = ? WHERE id = ?").run(
        state.status,
        JSON.stringify(state),
        at,
        id,
      );
    },
    patch(id: string, patch: TaskPatch, at: string): void {
      const cols: string[] = [];
      const params: Record<string, unknown> = { id, at };
      const columns: [keyof TaskPatch, string][] = [
        ["worktreePath", "worktree_path"],
        ["baseCommit", "base_commit"],
        ["headCommit", "head_commit"],
        ["attempts", "attempts"],
        ["rounds", "rounds_json"],
        ["waitingFor", "waiting_for"],
        ["holdForApproval", "hold_for_approval"],
      ];
      for (const [key, column] of columns) {
        if (!(key in patch)) continue;
        cols.push(`${column} = @${key}`);
        const value = patch[key];
        params[key] =
          key === "rounds" ? JSON.stringify(value) : typeof value === "boolean" ? (value ? 1 : 0) : (value ?? null);
      }
      if (cols.length === 0) return;
      db.prepare(`UPDATE tasks SET ${cols.join(", ")}, updated_at = @at WHERE id = @id`).run(params);
    },
    /** The Flotilla process driving the task, if any (a lease; checked for liveness by pid + start time). */
    owner(id: string): { pid: number; startedAt: string } | undefined {
      const r = db.prepare("SELECT owner_pid, owner_started_at FROM tasks WHERE id = ?").get(id) as
        { owner_pid: number | null; owner_started_at: string | null } | undefined;
      return r && r.owner_pid !== null && r.owner_started_at !== null
        ? { pid: r.owner_pid, startedAt: r.owner_started_at }
        : undefined;
    },
    setOwner(id: string, owner: { pid: number; startedAt: string } | undefined): void {
      db.prepare("UPDATE tasks SET owner_pid = ?, owner_started_at = ? WHERE id = ?").run(
        owner?.pid ?? null,
        owner?.startedAt ?? null,
        id,
      );
    },
    requestCancel(id: string, requested: boolean): void {
      db.prepare("UPDATE tasks SET cancel_requested = ? WHERE id = ?").run(requested ? 1 : 0, id);
    },
    isCancelRequested(id: string): boolean {
      const r = db.prepare("SELECT cancel_requested FROM tasks WHERE id = ?").get(id) as
        { cancel_requested: number } | undefined;
      return r?.cancel_requested === 1;
    },
  };
}
export type TasksTable = ReturnType<typeof createTasksTable>;
export { orUndefined };
