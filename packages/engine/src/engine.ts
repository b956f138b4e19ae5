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
import {
  checkConfigText,
  configFileIn,
  flotillaHome,
  globalConfigDir,
  loadConfig,
  projectConfigDir,
  readConfigFile,
  saveConfigFile,
  type ConfigFileText,
  type ConfigTextCheck,
} from "./config/index.js";
import { cleanTask, type CleanTaskOutcome } from "./run/clean-task.js";
import { createGit, type Git } from "./git/index.js";
import { MARKER_ENV, processStartTime } from "./process/index.js";
import { createProjectRegistry, type ProjectRegistry } from "./projects/project-registry.js";
import { cleanProject, type CleanReport } from "./run/clean.js";
import type { DriveOptions } from "./run/drive-task.js";
import { runTasks, runWithPlan, type RunTasksOptions } from "./scheduler/run-tasks.js";
import { createResumeRuns, type ResumeOptions } from "./scheduler/resume-runs.js";
import { createPlanTasks, type CreatePlanOptions } from "./tasks/create-plan-tasks.js";
import { proposePlan, type ProposeOptions, type Proposal } from "./orchestrator/propose-plan.js";
import { createOrchestratorAnswerer } from "./orchestrator/answer-question.js";
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
import {
  answerItem,
  approveItem,
  denyItem,
  findItem,
  listInbox,
  type ApproveOptions,
  type InboxAction,
  type InboxItem,
} from "./inbox/index.js";
import { followUpTarget, followUpTask } from "./run/follow-up.js";
import { reviewMessage, taskDiff, type ReviewInput, type TaskDiffResult } from "./steering/index.js";
import { createNotifier, type Notifier } from "./notify/index.js";
import { createProviderKeys, type ProviderKeys } from "./secrets/index.js";
import { openTaskTerminal, type TaskTerminal, type TerminalSize } from "./terminal/index.js";

export type { ResumeOptions };

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
  /** Stores a validated plan's tasks (all or nothing); `holdForApproval` holds every one for a person's approval. */
  createPlan(project: Project, plan: Plan, options?: CreatePlanOptions): Promise<{ plan: PlanRow; tasks: Task[] }>;
  /** Records that a plan run ended (its makespan), announced as `plan.finished`. */
  finishPlan(planId: string, makespanMs: number): void;
  /** Asks the orchestrator-role agent to break a goal into a plan (validated; not stored). */
  proposePlan(project: Project, options: ProposeOptions): Promise<Proposal>;
  /**
   * Runs tasks (a plan, or one) with the scheduler until each rests; lands them through the merge
   * queue, except tasks held for approval (created with `holdForApproval`), which wait for it.
   */
  runTasks(taskIds: readonly string[], options: RunTasksOptions): Promise<Task[]>;
  /** Drives one task until it rests (merged, failed, cancelled, conflicted, needs input, blocked or held). */
  runTask(taskId: string, options: DriveOptions): Promise<Task>;
  /** Marks what a dead Flotilla left running as interrupted, and ends its leftover processes. */
  reconcile(): Promise<ReconcileReport>;
  /** The tasks `resume()` takes: the interrupted, awaiting-merge and queued ones (every project). */
  resumable(): Task[];
  /**
   * Continues every interrupted task where it stopped, and runs the awaiting-merge and queued ones
   * (`taskIds`: just these, and those `joinResume` hands it while it goes); once that run is over,
   * announces `resume.finished` (with `resumeId`, so a process following it from elsewhere knows
   * its end, and every task it took).
   */
  resume(options: ResumeOptions): Promise<Task[]>;
  /**
   * Hands more tasks to this engine's resume run `resumeId` while it goes: its scheduler orders
   * them together with the run's own (priority, then age), within the same limits. `holdMs`: the
   * run's hold from now on (0: none; see `ResumeOptions.holdMs`). False when that run is over (it
   * ends once nothing of it runs, lands or can start and its hold ran out, and then takes no
   * more) or unknown here: a new `resume` must take them. A run takes only tasks of the projects
   * it runs (its limits, leases and merge queue are theirs): a task of another project is
   * `conflict` (see `checkJoinResume`), and then nothing changes, neither its tasks nor its hold.
   */
  joinResume(resumeId: string, taskIds: readonly string[], options?: { holdMs?: number }): boolean;
  /**
   * Throws `conflict` (naming the task and both projects) when resume run `resumeId` is still
   * going and one of these tasks is of a project none of its tasks is of; nothing when the run
   * runs their projects, or is over or unknown here (a new run would take them). Changes nothing.
   */
  checkJoinResume(resumeId: string, taskIds: readonly string[]): void;
  abort(taskId: string): Promise<Task>;
  /** Runs a failed, cancelled, conflicted or interrupted task again; then its plan's queued tasks go on. */
  retry(taskId: string, options: DriveOptions): Promise<Task>;
  /**
   * A person's approval: lands a task awaiting merge (blocked, or held for approval: its hold is
   * cleared, no other task's) or conflicted; then its plan's queued tasks whose dependencies are
   * now merged start (held again if the plan was).
   */
  merge(taskId: string, options: DriveOptions): Promise<Task>;
  clean(project: Project, options?: { force?: boolean; dryRun?: boolean }): Promise<CleanReport>;
  /** Removes a resting task's worktree; uncommitted work keeps it unless `force` (then it is committed first). */
  cleanTask(taskId: string, options?: { force?: boolean }): Promise<CleanTaskOutcome>;
  /** The config file (the global one, or a project's `.flotilla/config.*`) as text. */
  configFile(project?: Project): ConfigFileText;
  /** Checks a config text for that file exactly as loading it would; every problem with line and key path. */
  validateConfigText(text: string, project?: Project): ConfigTextCheck;
  /** Saves a config text when it is valid (atomically); later runs in this engine use it. */
  saveConfigText(text: string, project?: Project): ConfigTextCheck;
  task(taskId: string): Task;
  ci(hash: string): CiStatus;
  /** The needs-you inbox: questions, permission requests, conflicts, failures, blocked merges. */
  inbox(): InboxItem[];
  /** Answers an inbox item: the text goes to the agent in its session; drives the task to rest. */
  answer(id: string, text: string, options?: DriveOptions): Promise<Task>;
  /** Approves an inbox item; with `always`, a permission request's tool is allowed for the rest of the task. */
  approve(id: string, options?: ApproveOptions): Promise<Task>;
  deny(id: string, reason?: string, options?: DriveOptions): Promise<Task>;
  /** The inbox item `id` if it takes `action` (else not_found / illegal_transition), without acting on it. */
  inboxItem(id: string, action: InboxAction): InboxItem;
  /** Throws unless a follow-up may be sent to the task now (it rests, may run again, has a session). */
  checkFollowUp(taskId: string): void;
  /** A person's message into the task's agent session; then verify → review → merge; drives the task to rest. */
  followUp(taskId: string, message: string, options?: DriveOptions): Promise<Task>;
  /** The task's branch head against the merge base with its target: parsed files, hunks, lines, and the patch. */
  diff(taskId: string): Promise<TaskDiffResult>;
  /** Review comments checked against the task's current diff, as ONE follow-up message (invalid_input naming stale ones). */
  reviewMessage(taskId: string, review: ReviewInput): Promise<string>;
  /** Notifications (webhooks, commands, desktop) on merged / failed / needs_input. */
  readonly notifier: Notifier;
  /** Provider keys, envelope-encrypted at rest; only masked values come out (agents get them in their env). */
  readonly keys: ProviderKeys;
  /** A shell on a pseudo-terminal in a task's worktree (the web UI's terminal); ends with the worktree. */
  openTerminal(taskId: string, size: TerminalSize): TaskTerminal;
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
  const loadGlobal = () => loadConfig({ env, ...(options.overrides ? { overrides: options.overrides } : {}) }).config;
  let globalConfig = loadGlobal();
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
  const keys = createProviderKeys({ store, home: home.home, config: () => globalConfig });
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
    providerEnv: (provider) => keys.envFor(provider),
    versionHint: createVersionHint(),
    // Started on the first run that needs it, so commands that run no agent open no port.
    mcpEndpoint: async (runId) => {
      // `ask` is answered by the orchestrator agent from the plan's context (mcp.ask), else queued.
      mcpServer ??= startMcpServer({ store, self: deps.self }, { answerer: createOrchestratorAnswerer(deps) });
      return (await mcpServer).urlFor(runId);
    },
  };
  let mcpServer: Promise<FlotillaMcpServer> | undefined;
  // One circuit breaker per provider, shared by every task this process runs.
  useBreakers(deps, createBreakerRegistry(isTransientOutcome));
  const projects = createProjectRegistry({
    store,
    git,
    // A getter: a saved global config applies to projects registered after it.
    get allowedRoots() {
      return globalConfig.projects.allowedRoots;
    },
  });
  const configDir = (project: Project | undefined) =>
    project !== undefined ? projectConfigDir(project.path) : globalConfigDir(env);

  const notifier = createNotifier({ store, configFor, env: baseEnv });
  notifier.start();
  const idle: DriveOptions = { shutdown: new AbortController().signal };
  const resumeRuns = createResumeRuns(deps);

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
    get globalConfig() {
      return globalConfig;
    },
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
    runTask: async (taskId, o) => (await runTasks(deps, [taskId], { shutdown: o.shutdown }))[0] ?? task(taskId),
    reconcile: () => reconcile(deps),
    ...resumeRuns,
    abort: (taskId) => abortTask(deps, taskId),
    async retry(taskId, o) {
      requeueTask(deps, taskId);
      return runWithPlan(deps, taskId, { shutdown: o.shutdown });
    },
    async merge(taskId, o) {
      requestMerge(deps, taskId);
      return runWithPlan(deps, taskId, { shutdown: o.shutdown });
    },
    clean: (project, o) => cleanProject(deps, project, o),
    cleanTask: (taskId, o) => cleanTask(deps, taskId, o),
    configFile: (project) => readConfigFile(configDir(project)),
    validateConfigText: (text, project) => checkConfigText(text, configFileIn(configDir(project))),
    saveConfigText(text, project) {
      const check = saveConfigFile(configDir(project), text);
      if (check.issues.length > 0) return check;
      // The cached configs hold the old file: a project's own, or (global) every one of them.
      if (project !== undefined) projectConfigs.delete(project.path);
      else {
        globalConfig = loadGlobal();
        projectConfigs.clear();
      }
      return check;
    },
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
    inboxItem: (id, action) => findItem(deps, id, action),
    checkFollowUp: (taskId) => void followUpTarget(deps, taskId),
    followUp: (taskId, message, o) => followUpTask(deps, taskId, message, o ?? idle),
    diff: (taskId) => taskDiff(deps, taskId),
    reviewMessage: (taskId, review) => reviewMessage(deps, taskId, review),
    notifier,
    keys,
    openTerminal: (taskId, size) => openTaskTerminal({ store, baseEnv }, taskId, size),
    close: () => {
      notifier.stop();
      // Adapters that keep something running between turns (OpenCode's server) stop it; not awaited.
      for (const adapter of adapters.values()) void adapter.close?.().catch(() => undefined);
      void mcpServer?.then((m) => m.close()).catch(() => undefined);
      store.close();
    },
  };
}
