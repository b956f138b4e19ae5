import type { FlotillaClient, PlanIssue } from "@flotilla/client";
import { RunPlanRequestSchema, ValidatePlanRequestSchema } from "@flotilla/client";
import { parsePlanText, summarizePlan } from "@flotilla/engine";
import { FlotillaError, isFlotillaError } from "@flotilla/protocol";
import { projectOf, type ApiDeps } from "./api-deps.js";

export type PlansApi = Pick<FlotillaClient, "validatePlan" | "runPlan" | "getPlan" | "listPlans">;

/** Plans from their text (YAML, or JSON by a `.json` name): checked, stored, run in the background. */
export function createPlansApi({ engine, background }: ApiDeps): PlansApi {
  return {
    async validatePlan(input) {
      const { text, file } = ValidatePlanRequestSchema.parse(input);
      try {
        return { valid: true as const, ...summarizePlan(parsePlanText(text, file)) };
      } catch (err) {
        if (!isFlotillaError(err) || err.code !== "invalid_input") throw err;
        return { valid: false as const, errors: issuesOf(err, file) };
      }
    },
    async runPlan(input) {
      const { text, file, project: ref, concurrency, autoMerge } = RunPlanRequestSchema.parse(input);
      const plan = parsePlanText(text, file);
      const project = projectOf(engine, ref);
      const created = await engine.createPlan(project, plan, {
        source: file,
        holdForApproval: !autoMerge,
        ...(concurrency !== undefined ? { concurrency } : {}),
      });
      const row = created.plan;
      const ids = created.tasks.map((t) => t.id);
      await background.start(`plan ${row.id}`, async (shutdown) => {
        const started = Date.now();
        await engine.runTasks(ids, { shutdown, concurrency: row.concurrency });
        if (!shutdown.aborted) engine.finishPlan(row.id, Date.now() - started);
      });
      return { plan: row, tasks: ids.map((id) => engine.task(id)) };
    },
    async getPlan(planId) {
      const row = engine.store.read.plans.get(planId);
      if (!row) throw new FlotillaError("not_found", `no plan "${planId}"`, { planId });
      return { plan: row, tasks: engine.store.read.tasks.list({ planId }) };
    },
    listPlans: async (ref) => engine.store.read.plans.list(ref !== undefined ? projectOf(engine, ref).id : undefined),
  };
}

/** The located problems a plan error carries (file:line:col), or its message as one problem. */
function issuesOf(err: FlotillaError, file: string): PlanIssue[] {
  const raw = Array.isArray(err.data.issues) ? (err.data.issues as unknown[]) : [];
  const issues = raw.flatMap((i): PlanIssue[] => {
    if (typeof i !== "object" || i === null) return [];
    const o = i as Record<string, unknown>;
    return [
      {
        file: typeof o.file === "string" ? o.file : file,
        ...(typeof o.line === "number" ? { line: o.line } : {}),
        ...(typeof o.column === "number" ? { column: o.column } : {}),
        ...(typeof o.path === "string" ? { path: o.path } : {}),
        message: typeof o.message === "string" ? o.message : String(o.message),
      },
    ];
  });
  return issues.length > 0 ? issues : [{ file, message: err.message }];
}
