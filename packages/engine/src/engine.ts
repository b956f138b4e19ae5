import { join } from "node:path";
import type { AdapterKind, CiStatus, Config, ConfigInput, Plan, Project, Task, TaskSpec } from "@flotilla/protocol";
import { FlotillaError } from "@flotilla/protocol";
import { createClaudeCodeAdapter } from "./agents/claude-code/index.js";
import { createCodexAdapter } from "./agents/codex/index.js";
import { createGooseAdapter } from "./agents/goose/index.js";
import { createAmpAdapter } from "./agents/amp/index.js";
import { createCommandAdapter } from "./agents/command/index.js";
import { createOpencodeAdapter } from "./agents/opencode/index.js";
import { createScriptedAdapter } from "./agents/scripted/scripted-adapter.js";
import type { AgentAdapter } from "./agents/types.js";
import { flotillaHome, loadConfig } from "./config/index.js";
import { createGit, type Git } from "./git/index.js";
import { MARKER_ENV, processStartTime } from "./process/index.js";
import { createProjectRegistry, type ProjectRegistry } from "./projects/project-registry.js";
import { cleanProject, type CleanReport } from "./run/clean.js";
import type { DriveOptions } from "./run/drive-task.js";
import { runTasks, type RunTasksOptions } from "./scheduler/run-tasks.js";
import { createPlanTasks } from "./tasks/create-plan-tasks.js";
import { proposePlan, type ProposeOptions, type Proposal } from "./orchestrator/propose-plan.js";
import type { PlanRow } from "./store/plans-table.js";
import type { HomePaths, PipelineDeps } from "./run/pipeline-deps.js";
import { reconcile, type ReconcileReport } from "./run/reconcile.js";
import { abortTask, requestMerge, requeueTask } from "./run/task-actions.js";
import { createStore, type Store } from "./store/index.js";
import { createBreakerRegistry, isTransientOutcome, useBreakers } from "./resilience/index.js";
import { startMcpServer, type FlotillaMcpServer } from "./mcp/index.js";
import { createVersionHint } from "./doctor/version-hint.js";
import { createWorktreePool } from "./worktree-pool/index.js";
import { worktreeDirFor } from "./run/prepare-worktree.js";
import { createTask } from "./tasks/create-task.js";
import { answerItem, approveItem, denyItem, listInbox, type InboxItem } from "./inbox/index.js";
import { createNotifier, type Notifier } from "./notify/index.js";

export interface EngineOptions {
  /** The environment Flotilla reads (FLOTILLA_HOME, XDG_*, FLOTILLA_* overrides) and agents start from. */
  env?: Record<string, string | undefined>;
  /** Flag-level config overrides (highest precedence). */
  overrides?: ConfigInput;
}

export interface Engine {
  readonly store: Store;
  readonly git: Git;
  readonly home: HomePaths;
  readonly projects: ProjectRegistry;
  readonly globalConfig: Config;
  configFor(project: Project): Config;
  createTask(project: Project, spec: TaskSpec): Promise<Task>;
  /** Stores a validated plan's tasks (all or nothing). */
  createPlan(
    project: Project,
    plan: Plan,
    options?: { source?: string; concurrency?: number },
  ): Promise<{ plan: PlanRow; tasks: Task[] }>;
  /** Records that a plan run ended (its makespan), announced as `plan.finished`. */
  finishPlan(planId: string, makespanMs: number): void;
  /** Asks the orchestrator-role agent to break a goal into a plan (validated; not stored). */
  proposePlan(project: Project, options: ProposeOptions): Promise<Proposal>;
  /** Runs tasks (a plan, or one) with the scheduler until each rests; lands them through the merge queue. */
  runTasks(taskIds: readonly string[], options: RunTasksOptions): Promise<Task[]>;
  /** Drives one task until it rests (merged, failed, cancelled, conflicted, needs input, or blocked). */
  runTask(taskId: string, options: DriveOptions): Promise<Task>;
  /** Marks what a dead Flotilla left running as interrupted, and ends its leftover processes. */
  reconcile(): Promise<ReconcileReport>;
  /** Continues every interrupted task where it stopped. */
  resume(options: DriveOptions): Promise<Task[]>;
  abort(taskId: string): Promise<Task>;
  retry(taskId: string, options: DriveOptions): Promise<Task>;
  merge(taskId: string, options: DriveOptions): Promise<Task>;
  clean(project: Project, options?: { force?: boolean; dryRun?: boolean }): Promise<CleanReport>;
  task(taskId: string): Task;
  ci(hash: string): CiStatus;
  /** The needs-you inbox: questions, permission requests, conflicts, failures, blocked merges. */
  inbox(): InboxItem[];
  /** Answers an inbox item: the text goes to the agent in its session; drives the task to rest. */
  answer(id: string, text: string, options?: DriveOptions): Promise<Task>;
  approve(id: string, options?: DriveOptions): Promise<Task>;
  deny(id: string, reason?: string, options?: DriveOptions): Promise<Task>;
  /** Notifications (webhooks, commands, desktop) on merged / failed / needs_input. */
  readonly notifier: Notifier;
  close(): void;
}

export function homePaths(home: string): HomePaths {
  return {
    home,
    database: join(home, "flotilla.db"),
    worktrees: join(home, "worktrees"),
    state: join(home, "state"),
    ciStatus: join(home, "ci-status"),
  };
}

/** The composition root: the only place that wires the engine's parts together. */
export function createEngine(options: EngineOptions = {}): Engine {
  const env = options.env ?? process.env;
  const home = homePaths(flotillaHome(env));
  const globalConfig = loadConfig({ env, ...(options.overrides ? { overrides: options.overrides } : {}) }).config;
  const store = createStore(home.database);
  const git = createGit();
  const projectConfigs = new Map<string, Config>();
  const configFor = (project: Project): Config => {
    let config = projectConfigs.get(project.path);
    if (!config) {
      config = loadConfig({
        env,
        projectDir: project.path,
        ...(options.overrides ? { overrides: options.overrides } : {}),
      }).config;
      projectConfigs.set(project.path, config);
    }
    return config;
  };
  const adapters = new Map<AdapterKind, AgentAdapter>([
    ["scripted", createScriptedAdapter({ stateDir: home.state })],
    ["claude-code", createClaudeCodeAdapter({ stateDir: home.state })],
    ["codex", createCodexAdapter({ stateDir: home.state })],
    ["goose", createGooseAdapter({ stateDir: home.state })],
    ["amp", createAmpAdapter({ stateDir: home.state })],
    ["command", createCommandAdapter()],
    ["opencode", createOpencodeAdapter({ stateDir: home.state })],
  ]);
  const baseEnv: Record<string, string | undefined> = { ...env };
  delete baseEnv[MARKER_ENV];
  const pool = createWorktreePool({ store, git, dirFor: (project) => worktreeDirFor({ home, configFor }, project) });
  const deps: PipelineDeps = {
    store,
    git,
    pool,
    home,
    self: { pid: process.pid, startedAt: processStartTime(process.pid) ?? String(Date.now()) },
    adapters,
    configFor,
    baseEnv,
    versionHint: createVersionHint(),
    // Started on the first run that needs it, so commands that run no agent open no port.
    mcpEndpoint: async (runId) => {
      mcpServer ??= startMcpServer({ store, self: deps.self });
      return (await mcpServer).urlFor(runId);
    },
  };
  let mcpServer: Promise<FlotillaMcpServer> | undefined;
  // One circuit breaker per provider, shared by every task this process runs.
  useBreakers(deps, createBreakerRegistry(isTransientOutcome));
  const projects = createProjectRegistry({ store, git, allowedRoots: globalConfig.projects.allowedRoots });

  const notifier = createNotifier({ store, configFor, env: baseEnv });
  notifier.start();
  const idle: DriveOptions = { shutdown: new AbortController().signal };

  const task = (taskId: string): Task => {
    const found = store.read.tasks.get(taskId);
    if (!found) throw new FlotillaError("not_found", `no task "${taskId}"; see \`flotilla status\``, { taskId });
    return found;
  };

  return {
    store,
    git,
    home,
    projects,
    globalConfig,
    configFor,
    createTask: (project, spec) => createTask({ store, git, configFor }, project, spec),
    createPlan: (project, plan, o) => createPlanTasks({ store, git, configFor }, project, plan, o),
    runTasks: (taskIds, o) => runTasks(deps, taskIds, o),
    proposePlan: (project, o) => proposePlan(deps, project, o),
    finishPlan(planId, makespanMs) {
      store.write((ctx) => {
        ctx.plans.markFinished(planId, ctx.now);
        ctx.emit({ type: "plan.finished", planId, makespanMs });
      });
    },
    runTask: async (taskId, o) =>
      (await runTasks(deps, [taskId], { shutdown: o.shutdown, autoMerge: o.autoMerge !== false }))[0] ?? task(taskId),
    reconcile: () => reconcile(deps),
    async resume(o) {
      const left = store.read.tasks.list({ statuses: ["interrupted", "awaiting_merge", "queued"] });
      return runTasks(
        deps,
        left.map((t) => t.id),
        { shutdown: o.shutdown, autoMerge: o.autoMerge !== false },
      );
    },
    abort: (taskId) => abortTask(deps, taskId),
    async retry(taskId, o) {
      requeueTask(deps, taskId);
      return (await runTasks(deps, [taskId], { shutdown: o.shutdown })).at(0) ?? task(taskId);
    },
    async merge(taskId, o) {
      requestMerge(deps, taskId);
      return (await runTasks(deps, [taskId], { shutdown: o.shutdown })).at(0) ?? task(taskId);
    },
    clean: (project, o) => cleanProject(deps, project, o),
    task,
    ci(hash) {
      const found = store.read.ci.find(hash);
      if (!found) throw new FlotillaError("not_found", `no CI status for commit ${hash}`, { hash });
      return found;
    },
    inbox: () => listInbox(deps),
    answer: (id, text, o) => answerItem(deps, id, text, o ?? idle),
    approve: (id, o) => approveItem(deps, id, o ?? idle),
    deny: (id, reason, o) => denyItem(deps, id, reason, o ?? idle),
    notifier,
    close: () => {
      notifier.stop();
      // Adapters that keep something running between turns (OpenCode's server) stop it; not awaited.
      for (const adapter of adapters.values()) void adapter.close?.().catch(() => undefined);
      void mcpServer?.then((m) => m.close()).catch(() => undefined);
      store.close();
    },
  };
}
