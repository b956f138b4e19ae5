import { z } from "zod";

/**
 * The built-in scripted agent's script: the steps it carries out in its worktree. It is a real
 * child process, the demo agent and the test double for every layer above it.
 * See docs/agents.md for the format.
 */
const pathField = z.string().min(1, "path must not be empty");

/** The tools of Flotilla's MCP server, which the `mcp` step can call. */
export const MCP_TOOLS = ["ask", "report_progress", "claim_files"] as const;

const BaseStepSchema = z.union([
  z.object({ write: z.object({ path: pathField, content: z.string() }).strict() }).strict(),
  z.object({ append: z.object({ path: pathField, content: z.string() }).strict() }).strict(),
  z
    .object({
      replace: z
        .object({ path: pathField, find: z.string().min(1), with: z.string(), all: z.boolean().optional() })
        .strict(),
    })
    .strict(),
  z.object({ delete: z.object({ path: pathField }).strict() }).strict(),
  z
    .object({
      run: z
        .object({
          cmd: z.string().min(1),
          /** Start the command in its own process group, as real agents do with their tools. */
          detached: z.boolean().optional(),
          /** Carry on with the next step even when the command fails. */
          allowFailure: z.boolean().optional(),
        })
        .strict(),
    })
    .strict(),
  z.object({ sleep: z.object({ ms: z.number().int().nonnegative() }).strict() }).strict(),
  z.object({ say: z.object({ text: z.string() }).strict() }).strict(),
  z.object({ ask: z.object({ question: z.string().min(1) }).strict() }).strict(),
  z.object({ permission: z.object({ tool: z.string().min(1), input: z.unknown().optional() }).strict() }).strict(),
  z.object({ tool: z.object({ name: z.string().min(1), input: z.unknown().optional() }).strict() }).strict(),
  z
    .object({
      usage: z
        .object({
          inputTokens: z.number().int().nonnegative(),
          outputTokens: z.number().int().nonnegative(),
          costUsd: z.number().nonnegative().optional(),
        })
        .strict(),
    })
    .strict(),
  z.object({ commit: z.object({ message: z.string().min(1) }).strict() }).strict(),
  z
    .object({
      review: z
        .object({ verdict: z.enum(["approve", "request_changes"]), comments: z.array(z.string()).default([]) })
        .strict(),
    })
    .strict(),
  z.object({ fail: z.object({ message: z.string() }).strict() }).strict(),
  z.object({ exit: z.object({ code: z.number().int().min(0).max(255) }).strict() }).strict(),
  z.object({ hang: z.object({}).strict().or(z.null()) }).strict(),
  z.object({ print: z.object({ text: z.string(), times: z.number().int().positive().optional() }).strict() }).strict(),
  z
    .object({
      /** A call of a tool of Flotilla's MCP server (FLOTILLA_MCP_URL), over HTTP from the agent process. */
      mcp: z
        .object({
          tool: z.enum(MCP_TOOLS),
          input: z.record(z.string(), z.unknown()).optional(),
          /** Carry on with the next step even when the call fails or the tool answers with an error. */
          allowFailure: z.boolean().optional(),
        })
        .strict(),
    })
    .strict(),
]);

export type ScriptBaseStep = z.infer<typeof BaseStepSchema>;

export const ScriptStepSchema = z.union([
  BaseStepSchema,
  z
    .object({
      repeat: z
        .object({
          /** How many times; leave out to repeat forever (a looping agent). */
          times: z.number().int().positive().optional(),
          steps: z.array(BaseStepSchema).min(1),
        })
        .strict(),
    })
    .strict(),
]);
export type ScriptStep = z.infer<typeof ScriptStepSchema>;

/** One turn: the steps run for the first prompt or for one follow-up. */
export const ScriptTurnSchema = z.array(ScriptStepSchema);

export const ScriptSchema = z.union([
  ScriptTurnSchema.transform((steps) => ({ steps, followUps: [] as ScriptStep[][] })),
  z
    .object({
      steps: ScriptTurnSchema,
      /** Turns 2, 3, ...: run in order for each follow-up message in the same session. */
      followUps: z.array(ScriptTurnSchema).default([]),
    })
    .strict(),
]);
export type Script = z.output<typeof ScriptSchema>;
