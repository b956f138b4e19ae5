import { PlanTaskSchema, type PlanTask } from "@flotilla/protocol";
import { validateGlob } from "../plan/globs.js";
import type { PathIssue } from "../shared/zod-issues.js";

/**
 * A ticket (seed 001): ONE task in a YAML (or JSON) file, with the fields of a plan's task
 * (id, title, prompt, agent | role, dependsOn, writes, priority, verify, review, script).
 * Its `dependsOn` names tasks already in the store, not tasks of a plan.
 */
export const TicketSchema = PlanTaskSchema;
export type Ticket = PlanTask;

/** What the schema cannot check: self dependency, write globs, agent and role both set. */
export function checkTicket(ticket: Ticket): PathIssue[] {
  const issues: PathIssue[] = [];
  ticket.dependsOn.forEach((dep, i) => {
    if (dep === ticket.id) issues.push({ path: ["dependsOn", i], message: `ticket "${ticket.id}" depends on itself` });
  });
  ticket.writes.forEach((glob, i) => {
    const problem = validateGlob(glob);
    if (problem !== undefined)
      issues.push({ path: ["writes", i], message: `writes glob ${JSON.stringify(glob)} ${problem}` });
  });
  if (ticket.agent !== undefined && ticket.role !== undefined)
    issues.push({ path: ["role"], atKey: true, message: "set either agent or role, not both" });
  return issues;
}
