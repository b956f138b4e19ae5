export { readPlanFile, parsePlanText, summarizePlan, type PlanSummary } from "./parse-plan.js";
export { checkPlan } from "./plan-checks.js";
export {
  buildDag,
  edgeCount,
  findCycles,
  topologicalOrder,
  dependentsOf,
  dependenciesOf,
  formatCycle,
  type Dag,
  type DagInput,
} from "./dag.js";
export { validateGlob, globsMayOverlap, globMayOverlap, overlappingGlobs, expandBraces } from "./globs.js";
