import type { Plan } from "@flotilla/protocol";
import type { PathIssue } from "../shared/zod-issues.js";
import { buildDag, findCycles, formatCycle } from "./dag.js";
import { validateGlob } from "./globs.js";

/** The line a key path is on, for messages that point at a second place ("first used at line 3"). */
export type LineOf = (path: readonly PropertyKey[]) => number | undefined;

/**
 * The checks a plan's schema cannot make: duplicate ids, unknown and self dependencies, cycles,
 * bad write globs, and tasks that name both an agent and a role. Every problem is returned, each
 * with the key path of the node it is about (the task's id, the dependsOn entry, the glob).
 */
export function checkPlan(plan: Plan, lineOf: LineOf = () => undefined): PathIssue[] {
  const issues: PathIssue[] = [];
  const firstIndex = new Map<string, number>();
  plan.tasks.forEach((task, i) => {
    const first = firstIndex.get(task.id);
    if (first === undefined) {
      firstIndex.set(task.id, i);
    } else {
      const line = lineOf(["tasks", first, "id"]);
      const where = line !== undefined ? `line ${line}` : `tasks[${first}]`;
      issues.push({ path: ["tasks", i, "id"], message: `duplicate task id "${task.id}" (first used at ${where})` });
    }
  });

  plan.tasks.forEach((task, i) => {
    task.dependsOn.forEach((dep, j) => {
      const path = ["tasks", i, "dependsOn", j];
      if (dep === task.id) issues.push({ path, message: `task "${task.id}": depends on itself` });
      else if (!firstIndex.has(dep))
        issues.push({ path, message: `task "${task.id}": dependsOn "${dep}" is not a task in this plan` });
    });
    task.writes.forEach((glob, j) => {
      const problem = validateGlob(glob);
      if (problem !== undefined)
        issues.push({
          path: ["tasks", i, "writes", j],
          message: `task "${task.id}": writes glob ${JSON.stringify(glob)} ${problem}`,
        });
    });
    if (task.agent !== undefined && task.role !== undefined)
      issues.push({
        path: ["tasks", i, "role"],
        atKey: true,
        message: `task "${task.id}": set either agent or role, not both`,
      });
  });

  for (const cycle of findCycles(buildDag(plan.tasks))) {
    const [from, to] = cycle.length > 1 ? [cycle[0], cycle[1]] : [cycle[0], cycle[0]];
    const i = plan.tasks.findIndex((t) => t.id === from && t.dependsOn.includes(to ?? ""));
    const j = plan.tasks[i]?.dependsOn.indexOf(to ?? "") ?? -1;
    const path = i >= 0 && j >= 0 ? ["tasks", i, "dependsOn", j] : ["tasks"];
    issues.push({ path, message: `cycle: ${formatCycle(cycle)}` });
  }
  return issues;
}
