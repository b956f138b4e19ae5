import type { PlanBudget } from "@flotilla/protocol";
import type { Db } from "./database.js";
import { fromJson, toJson } from "./json-column.js";

export interface PlanRow {
  id: string;
  projectId: string;
  name: string;
  source?: string;
  concurrency: number;
  /** The plan file's own budget (over the config's `budgets.plan`). */
  budget?: PlanBudget;
  createdAt: string;
  finishedAt?: string;
}

interface Row {
  id: string;
  project_id: string;
  name: string;
  source: string | null;
  concurrency: number;
  budget_json: string | null;
  created_at: string;
  finished_at: string | null;
}

const toPlan = (r: Row): PlanRow => ({
  id: r.id,
  projectId: r.project_id,
  name: r.name,
  ...(r.source !== null ? { source: r.source } : {}),
  concurrency: r.concurrency,
  ...(r.budget_json !== null ? { budget: fromJson<PlanBudget>(r.budget_json, {}) } : {}),
  createdAt: r.created_at,
  ...(r.finished_at !== null ? { finishedAt: r.finished_at } : {}),
});

/** One row per run of a plan file (or a `flotilla plan` goal). */
export function createPlansTable(db: Db) {
  return {
    insert(p: PlanRow): void {
      db.prepare(
        "INSERT INTO plans (id, project_id, name, source, concurrency, budget_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ).run(p.id, p.projectId, p.name, p.source ?? null, p.concurrency, toJson(p.budget), p.createdAt);
    },
    get(id: string): PlanRow | undefined {
      const r = db.prepare("SELECT * FROM plans WHERE id = ?").get(id) as Row | undefined;
      return r && toPlan(r);
    },
    list(projectId?: string): PlanRow[] {
      const rows = (
        projectId === undefined
          ? db.prepare("SELECT * FROM plans ORDER BY created_at").all()
          : db.prepare("SELECT * FROM plans WHERE project_id = ? ORDER BY created_at").all(projectId)
      ) as Row[];
      return rows.map(toPlan);
    },
    markFinished(id: string, at: string): void {
      db.prepare("UPDATE plans SET finished_at = ? WHERE id = ?").run(at, id);
    },
  };
}
