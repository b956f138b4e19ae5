import type { Command, Task, TaskBudget, WatchdogOverride } from "@flotilla/protocol";

export interface NewTaskFields {
  id: string;
  projectId: string;
  prompt: string;
  agent: string;
  targetBranch: string;
  now: string;
  title?: string;
  script?: unknown;
  verify?: Command;
  writes?: string[];
  dependsOn?: string[];
  priority?: number;
  review?: Task["review"];
  watchdog?: WatchdogOverride;
  budget?: TaskBudget;
  holdForApproval?: boolean;
  planId?: string;
  planKey?: string;
}

/** The branch a task's work lives on. */
export function branchForTask(taskId: string): string {
  return `flotilla/${taskId}`;
}

/** A new task's row, queued. */
export function createTaskRecord(f: NewTaskFields): Task {
  return {
    id: f.id,
    projectId: f.projectId,
    title: f.title ?? firstLine(f.prompt),
    prompt: f.prompt,
    agent: f.agent,
    ...(f.script !== undefined ? { script: f.script } : {}),
    ...(f.verify !== undefined ? { verify: f.verify } : {}),
    writes: f.writes ?? [],
    dependsOn: f.dependsOn ?? [],
    priority: f.priority ?? 0,
    targetBranch: f.targetBranch,
    branch: branchForTask(f.id),
    attempts: 0,
    ...(f.review !== undefined ? { review: f.review } : {}),
    ...(f.watchdog !== undefined ? { watchdog: f.watchdog } : {}),
    ...(f.budget !== undefined ? { budget: f.budget } : {}),
    holdForApproval: f.holdForApproval ?? false,
    ...(f.planId !== undefined ? { planId: f.planId } : {}),
    ...(f.planKey !== undefined ? { planKey: f.planKey } : {}),
    rounds: { verify: 0, review: 0, conflict: 0 },
    state: { status: "queued" },
    createdAt: f.now,
    updatedAt: f.now,
  };
}

function firstLine(text: string): string {
  const line = text.split("\n", 1)[0] ?? text;
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
