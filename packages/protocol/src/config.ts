import { z } from "zod";
import { PlanBudgetSchema, TaskBudgetSchema, WatchdogConfigSchema, WatchdogOverrideSchema } from "./limits.js";
import { ScriptSchema } from "./script.js";
import { CommandSchema } from "./task.js";

/** Which adapter drives a provider's CLI. */
export const ADAPTER_KINDS = ["scripted", "claude-code", "codex", "opencode", "goose", "amp", "command"] as const;
export const AdapterKindSchema = z.enum(ADAPTER_KINDS);
export type AdapterKind = z.infer<typeof AdapterKindSchema>;

export const ROLES = ["coder", "reviewer", "tester", "orchestrator"] as const;
export const RoleSchema = z.enum(ROLES);
export type Role = z.infer<typeof RoleSchema>;

const envSchema = z.record(z.string(), z.string());

/** A provider: how to start an agent CLI. Passed through exactly: binary, args, env. */
export const ProviderConfigSchema = z
  .object({
    adapter: AdapterKindSchema,
    command: z.string().min(1).optional(),
    args: z.array(z.string()).default([]),
    env: envSchema.default({}),
  })
  .strict();
export type ProviderConfig = z.output<typeof ProviderConfigSchema>;

// The watchdog's thresholds and the budgets live in limits.ts (a task and a plan may set them too).
export {
  PlanBudgetSchema,
  TaskBudgetSchema,
  WatchdogConfigSchema,
  WatchdogOverrideSchema,
  type PlanBudget,
  type TaskBudget,
  type WatchdogConfig,
  type WatchdogOverride,
} from "./limits.js";

/** An agent: a provider with a model, a role and a system prompt (seed 004). */
export const AgentConfigSchema = z
  .object({
    provider: z.string().min(1),
    model: z.string().min(1).optional(),
    role: RoleSchema.default("coder"),
    prompt: z.string().optional(),
    args: z.array(z.string()).default([]),
    env: envSchema.default({}),
    /** Overrides of the watchdog's thresholds and of the task budget for this agent's runs. */
    watchdog: WatchdogOverrideSchema.optional(),
    budgets: TaskBudgetSchema.optional(),
  })
  .strict();
export type AgentConfig = z.output<typeof AgentConfigSchema>;

export const CleanupPolicySchema = z.enum(["keep", "remove"]);

/** The task events a notification can be sent for (seed 003 NOTF). */
export const NOTIFY_EVENTS = ["merged", "failed", "needs_input"] as const;
export const NotifyEventSchema = z.enum(NOTIFY_EVENTS);
export type NotifyEvent = z.infer<typeof NotifyEventSchema>;
const notifyEvents = z
  .array(NotifyEventSchema)
  .min(1)
  .default([...NOTIFY_EVENTS]);

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

/** A webhook: a JSON POST signed with `X-Flotilla-Signature: sha256=<HMAC-SHA256 of the body>`. */
export const WebhookConfigSchema = z
  .object({
    url: z.string().refine(isHttpUrl, "must be an http:// or https:// URL"),
    secret: z.string().min(1).optional(),
    events: notifyEvents,
    /** Retries after the first attempt (exponential backoff with jitter). */
    retries: z.number().int().min(0).max(10).default(3),
    backoffMs: z.number().int().positive().default(1000),
    timeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();
export type WebhookConfig = z.output<typeof WebhookConfigSchema>;

/** A command run (argv, no shell) with the event in env vars (FLOTILLA_EVENT_JSON, ...). */
export const NotifyCommandConfigSchema = z
  .object({
    argv: z.array(z.string().min(1)).min(1),
    events: notifyEvents,
    timeoutMs: z.number().int().positive().default(30_000),
  })
  .strict();
export type NotifyCommandConfig = z.output<typeof NotifyCommandConfigSchema>;

export const NotificationsConfigSchema = z
  .object({
    /** A desktop notification (notify-send, when on PATH): true for every event, or a list of events. */
    desktop: z.union([z.boolean(), z.array(NotifyEventSchema)]).default(false),
    webhooks: z.array(WebhookConfigSchema).default([]),
    commands: z.array(NotifyCommandConfigSchema).default([]),
  })
  .strict();
export type NotificationsConfig = z.output<typeof NotificationsConfigSchema>;

const ROLE_PROMPTS: Record<z.infer<typeof RoleSchema>, string> = {
  coder:
    "You are a coding agent. Make the change the task asks for in this worktree, keep the project's tests green, and commit nothing outside it.",
  reviewer:
    "You are a code reviewer. Read the diff and answer with a verdict: approve, or request_changes with concrete comments.",
  tester: "You are a test engineer. Add or fix tests for the change and make sure the project's test command passes.",
  orchestrator:
    "You are the orchestrator. Break a goal into small tasks with dependencies and the files each will write.",
};

export const ConfigSchema = z
  .object({
    $schema: z.string().optional(),
    defaults: z
      .object({
        agent: z.string().min(1).default("scripted"),
        /** The branch tasks land on; empty means the branch checked out in the project. */
        targetBranch: z.string().min(1).optional(),
        verify: CommandSchema.optional(),
        verifyTimeoutMs: z
          .number()
          .int()
          .positive()
          .default(30 * 60_000),
        concurrency: z.number().int().min(1).max(64).default(3),
        /** Per-agent and per-provider caps on tasks running at once, under the global one. */
        agentConcurrency: z.record(z.string(), z.number().int().min(1).max(64)).default({}),
        providerConcurrency: z.record(z.string(), z.number().int().min(1).max(64)).default({}),
        /** A write-lock lease whose holder is gone or silent this long is released. */
        leaseTimeoutMs: z.number().int().positive().default(60_000),
      })
      .strict()
      .prefault({}),
    worktrees: z
      .object({
        /** Where task worktrees live; outside the repo by default (the data dir). */
        baseDir: z.string().min(1).optional(),
        /** Idle worktrees kept per project and reused (reset to the task's base; nothing survives). 0 turns the pool off. */
        pool: z.number().int().min(0).max(32).default(2),
        cleanup: z
          .object({ onSuccess: CleanupPolicySchema.default("remove"), onFailure: CleanupPolicySchema.default("keep") })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    projects: z
      .object({
        /** When set, projects must live under one of these absolute directories. */
        allowedRoots: z.array(z.string().refine((p) => p.startsWith("/"), "must be an absolute path")).default([]),
      })
      .strict()
      .prefault({}),
    workflow: z
      .object({
        /** The steps every task goes through (seed 004's code → review → test, seed 001's reviewer). */
        steps: z
          .array(z.enum(["code", "verify", "review", "merge"]))
          .default(["code", "verify", "review", "merge"])
          .refine(
            (s) =>
              s[0] === "code" &&
              s[s.length - 1] === "merge" &&
              new Set(s).size === s.length &&
              (s.indexOf("review") === -1 || s.indexOf("verify") === -1 || s.indexOf("verify") < s.indexOf("review")),
            "steps must start with code, end with merge, hold each step once, and put verify before review",
          ),
        /** How many times a failed verify goes back to the agent, with the test output, before the task fails. */
        verifyRounds: z.number().int().min(0).max(10).default(1),
        /** How many times a reviewer's requested changes go back to the agent (a task's review.rounds wins). */
        reviewRounds: z.number().int().min(0).max(10).default(2),
        /** A merge conflict goes back to the task's agent to resolve in its worktree, or waits for a person. */
        onConflict: z.enum(["agent", "person"]).default("agent"),
        conflictRounds: z.number().int().min(0).max(10).default(2),
        /** How many times a failed completion check goes back to the agent before the task fails. */
        completionRounds: z.number().int().min(0).max(10).default(1),
      })
      .strict()
      .prefault({}),
    process: z
      .object({
        /** How long an agent gets after SIGINT before SIGKILL. */
        stopGraceMs: z.number().int().nonnegative().default(5000),
      })
      .strict()
      .prefault({}),
    /** The completion check before verify (seed 003 VER). */
    completion: z
      .object({
        enabled: z.boolean().default(true),
        /** At least one changed file must match the task's `writes` (when it declares any). */
        expectChanges: z.boolean().default(true),
        /** Files changed outside the declared `writes`: ignored, a warning, or a failed check. */
        stray: z.enum(["ignore", "warn", "fail"]).default("warn"),
      })
      .strict()
      .prefault({}),
    /** The needs-you inbox: what `flotilla deny` does to a question or permission request. */
    inbox: z
      .object({ onDeny: z.enum(["tell", "cancel"]).default("tell") })
      .strict()
      .prefault({}),
    notifications: NotificationsConfigSchema.prefault({}),
    watchdog: WatchdogConfigSchema.prefault({}),
    budgets: z
      .object({ task: TaskBudgetSchema.prefault({}), plan: PlanBudgetSchema.prefault({}) })
      .strict()
      .prefault({}),
    /** Retries of transient agent failures, and one circuit breaker per provider (docs/resilience.md). */
    resilience: z
      .object({
        /** How many times a turn that failed transiently (429, 5xx, network) is retried. 0 turns retries off. */
        retries: z.number().int().min(0).max(10).default(3),
        /** The first retry's delay (ms, with jitter); each next one doubles, up to maxBackoffMs. */
        backoffMs: z.number().int().nonnegative().default(2000),
        maxBackoffMs: z.number().int().nonnegative().default(60_000),
        /** Consecutive transient failures of one provider that open its circuit. */
        breakerThreshold: z.number().int().min(1).max(100).default(5),
        /** How long an open circuit waits before letting one run through as a probe. */
        breakerCooldownMs: z.number().int().positive().default(60_000),
      })
      .strict()
      .prefault({}),
    /** Flotilla's MCP server for agents (ask, report_progress, claim_files); docs/inbox.md. */
    mcp: z
      .object({
        enabled: z.boolean().default(true),
        /**
         * Who answers an agent's `ask`: the orchestrator agent, from the plan's context (a person when
         * it declines, fails or times out), or a person straight away.
         */
        ask: z.enum(["orchestrator", "person"]).default("orchestrator"),
        /** The agent that answers; the orchestrator role's agent (`roles.orchestrator.agent`) unless set. */
        askAgent: z.string().min(1).optional(),
        /** How long the orchestrator may take to answer before the question goes to a person. */
        askTimeoutMs: z.number().int().min(1000).max(600_000).default(120_000),
        /** The script the scripted agent answers with when it is the orchestrator (tests, demos). */
        askScript: ScriptSchema.optional(),
      })
      .strict()
      .prefault({}),
    providers: z.record(z.string(), ProviderConfigSchema).default({}),
    agents: z.record(z.string(), AgentConfigSchema).default({}),
    roles: z
      .partialRecord(RoleSchema, z.object({ prompt: z.string().optional(), agent: z.string().optional() }).strict())
      .default({}),
  })
  .strict();
export type Config = z.output<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;

/** Providers and agents that ship built in; a user's config adds to or overrides them by name. */
export const BUILTIN_PROVIDERS: Record<string, z.input<typeof ProviderConfigSchema>> = {
  scripted: { adapter: "scripted" },
  "claude-code": { adapter: "claude-code", command: "claude" },
  codex: { adapter: "codex", command: "codex" },
  opencode: { adapter: "opencode", command: "opencode" },
  goose: { adapter: "goose", command: "goose" },
  amp: { adapter: "amp", command: "amp" },
};

export const BUILTIN_AGENTS: Record<string, z.input<typeof AgentConfigSchema>> = {
  scripted: { provider: "scripted", role: "coder" },
  "scripted-reviewer": { provider: "scripted", role: "reviewer" },
  claude: { provider: "claude-code", role: "coder" },
  codex: { provider: "codex", role: "coder" },
  opencode: { provider: "opencode", role: "coder" },
  goose: { provider: "goose", role: "coder" },
  amp: { provider: "amp", role: "coder" },
};

export const BUILTIN_ROLE_PROMPTS = ROLE_PROMPTS;
