import type { AgentConfig, AgentEvent, Config, PlanBudget, Task, TaskBudget, WatchdogConfig } from "@flotilla/protocol";
import type { Store } from "../store/index.js";
import {
  checkBudget,
  hasLimits,
  storedPlanUsage,
  storedTaskUsage,
  type BudgetExceeded,
  type StoredUsage,
} from "./budget.js";
import { createRunMonitor, type Finding } from "./detectors.js";

export interface WatchdogSettings {
  watchdog: WatchdogConfig;
  taskBudget: TaskBudget;
  planBudget: PlanBudget;
}

/** A task's own overrides (from its plan file entry or its spec) and its plan's budget. */
export interface TaskOverrides {
  task?: Pick<Task, "watchdog" | "budget">;
  planBudget?: PlanBudget;
}

/**
 * The watchdog's thresholds and the budgets for one run. Later wins, field by field: the
 * defaults, the config (global, then project), the agent's overrides, the task's overrides. The
 * plan budget is the config's `budgets.plan` with the plan file's `budget` over it.
 */
export function watchdogSettings(config: Config, agent: AgentConfig, overrides: TaskOverrides = {}): WatchdogSettings {
  const task = overrides.task;
  return {
    watchdog: { ...config.watchdog, ...definedOnly(agent.watchdog ?? {}), ...definedOnly(task?.watchdog ?? {}) },
    taskBudget: { ...config.budgets.task, ...definedOnly(agent.budgets ?? {}), ...definedOnly(task?.budget ?? {}) },
    planBudget: { ...config.budgets.plan, ...definedOnly(overrides.planBudget ?? {}) },
  };
}

/** `watchdogSettings` for a stored task: its overrides and its plan's budget read from the store. */
export function taskWatchdogSettings(store: Store, config: Config, agent: AgentConfig, task: Task): WatchdogSettings {
  const planBudget = task.planId !== undefined ? store.read.plans.get(task.planId)?.budget : undefined;
  return watchdogSettings(config, agent, { task, ...(planBudget !== undefined ? { planBudget } : {}) });
}

/**
 * Whether the task's plan has spent its budget (cost or tokens over all its tasks' runs): the
 * scheduler starts none of the plan's queued tasks then. Undefined when it has not, or has none.
 */
export function planBudgetReached(store: Store, config: Config, task: Task): BudgetExceeded | undefined {
  const plan = task.planId !== undefined ? store.read.plans.get(task.planId) : undefined;
  const budget: PlanBudget = { ...config.budgets.plan, ...definedOnly(plan?.budget ?? {}) };
  if (!hasLimits({}, budget)) return undefined;
  const used = storedPlanUsage(store, task, "");
  return checkBudget({}, budget, {
    turns: 0,
    tokens: 0,
    costUsd: 0,
    wallMs: 0,
    planTokens: used.tokens,
    planCostUsd: used.costUsd,
  });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Why the watchdog stops a run: something looks stuck, or a budget is spent. */
export type WatchdogStop = { kind: "watchdog"; finding: Finding } | { kind: "budget"; exceeded: BudgetExceeded };

/**
 * How often a run re-reads the usage stored by others while it runs: the plan's other runs, and
 * the orchestrator's answers to this task's questions (an answer to this very run's `ask` is
 * recorded as it arrives, while this run waits for it).
 */
const REFRESH_MS = 1000;

/**
 * The watchdog of one run: fed every agent event and output line, asked by the supervise loop
 * at each tick (`check`), and able to wake that loop at once (`sleep`) when a loop shows.
 */
export function createRunWatchdog(
  store: Store,
  opts: { task: Task; runId: string; role: "coder" | "reviewer"; settings: WatchdogSettings; now?: () => number },
) {
  const now = opts.now ?? Date.now;
  const { settings, task, runId } = opts;
  const startedAt = now();
  const monitor = createRunMonitor(settings.watchdog, startedAt);
  const budgets = hasLimits(settings.taskBudget, settings.planBudget);
  let stored: StoredUsage = budgets
    ? storedTaskUsage(store, task.id, opts.role, runId)
    : { turns: 0, tokens: 0, costUsd: 0, wallMs: 0 };
  const live = { tokens: 0, costUsd: 0 };
  let plan = { tokens: 0, costUsd: 0 };
  let storedReadAt = now();
  let planReadAt = -Infinity;
  const taskUsageLimits = settings.taskBudget.maxTokens !== undefined || settings.taskBudget.maxCostUsd !== undefined;
  let wake: (() => void) | undefined;

  /** Waiting for a person, or for the orchestrator's answer to its `ask`: never stuck. */
  const blocked = () =>
    monitor.phase === "blocked" ||
    store.read.tasks.get(task.id)?.state.status === "needs_input" ||
    store.read.runs.answering(task.id, runId);

  return {
    event(e: AgentEvent): void {
      if (e.type === "usage") {
        live.tokens += e.inputTokens + e.outputTokens;
        live.costUsd += e.costUsd ?? 0;
      }
      const found = monitor.event(e, now());
      if ((found && settings.watchdog.enabled) || e.type === "usage") wake?.();
    },
    output(): void {
      monitor.output(now());
    },
    /** A reason to stop the run now, or undefined. A blocked or finished run is never stopped. */
    check(): WatchdogStop | undefined {
      if (monitor.phase === "finished") return undefined;
      if (blocked()) {
        // The wait is not silence: "no output for T" counts from when it ends.
        monitor.output(now());
        return undefined;
      }
      if (budgets) {
        const at = now();
        if (Object.keys(settings.planBudget).length > 0 && at - planReadAt >= REFRESH_MS) {
          plan = storedPlanUsage(store, task, runId);
          planReadAt = at;
        }
        if (taskUsageLimits && at - storedReadAt >= REFRESH_MS) {
          stored = storedTaskUsage(store, task.id, opts.role, runId);
          storedReadAt = at;
        }
        const exceeded = checkBudget(settings.taskBudget, settings.planBudget, {
          turns: stored.turns + 1,
          tokens: stored.tokens + live.tokens,
          costUsd: stored.costUsd + live.costUsd,
          wallMs: stored.wallMs + (at - startedAt),
          planTokens: plan.tokens + live.tokens,
          planCostUsd: plan.costUsd + live.costUsd,
        });
        if (exceeded) return { kind: "budget", exceeded };
      }
      if (!settings.watchdog.enabled) return undefined;
      const finding = monitor.check(now());
      return finding ? { kind: "watchdog", finding } : undefined;
    },
    /** Waits `ms`, or less when an event calls for a check at once. */
    sleep(ms: number): Promise<void> {
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    },
  };
}
export type RunWatchdog = ReturnType<typeof createRunWatchdog>;
