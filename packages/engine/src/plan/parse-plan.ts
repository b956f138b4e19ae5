import { PlanSchema, type Plan } from "@flotilla/protocol";
import {
  parseStructuredDocument,
  readStructuredText,
  structuredError,
  validateStructured,
  type ParsedStructured,
} from "../shared/structured-file.js";
import { buildDag, edgeCount, topologicalOrder } from "./dag.js";
import { checkPlan } from "./plan-checks.js";

/**
 * Reads a plan (YAML, or JSON by a `.json` name). Schema problems are reported first, each as
 * `file:line:col: key.path: problem`; then every structural problem at once (duplicate ids,
 * unknown or self dependencies, cycles, bad write globs, agent and role both set), each as
 * `file:line:col: problem` pointing at the node it is about. Throws FlotillaError("invalid_input").
 */
export function readPlanFile(file: string): Plan {
  return parsePlanText(readStructuredText(file), file);
}

/** Parses and checks a plan's text; `file` names it in messages and picks the format. */
export function parsePlanText(text: string, file: string): Plan {
  const parsed = parseStructuredDocument(text, file);
  const plan = validateStructured(parsed, PlanSchema);
  const issues = checkPlan(plan, (path) => lineOf(parsed, path));
  if (issues.length > 0) {
    const located = parsed.locate(issues).map(({ path: _keyPath, ...issue }) => issue);
    throw structuredError("invalid_input", file, located);
  }
  return plan;
}

export interface PlanSummary {
  tasks: number;
  dependencies: number;
  /** The task ids with every dependency first (input order among the ready ones). */
  order: string[];
}

/** Counts and a topological order of a checked plan. */
export function summarizePlan(plan: Plan): PlanSummary {
  const dag = buildDag(plan.tasks);
  return { tasks: plan.tasks.length, dependencies: edgeCount(dag), order: topologicalOrder(dag) };
}

function lineOf(parsed: ParsedStructured, path: readonly PropertyKey[]): number | undefined {
  return parsed.locate([{ path: [...path], message: "" }])[0]?.line;
}
