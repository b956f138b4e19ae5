import { z } from "zod";

/**
 * What an agent says, normalized across Claude Code, Codex, OpenCode, Goose, Amp and the
 * scripted agent. Adapters translate their CLI's own stream into these.
 */
export const AgentEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("session"), sessionId: z.string() }),
  z.object({ type: z.literal("message"), text: z.string() }),
  z.object({
    type: z.literal("tool_call"),
    id: z.string().optional(),
    name: z.string(),
    input: z.unknown().optional(),
  }),
  z.object({
    type: z.literal("tool_result"),
    id: z.string().optional(),
    name: z.string().optional(),
    output: z.string(),
    isError: z.boolean().default(false),
    exitCode: z.number().int().optional(),
  }),
  z.object({ type: z.literal("file_change"), path: z.string(), kind: z.enum(["write", "append", "edit", "delete"]) }),
  z.object({
    type: z.literal("usage"),
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    costUsd: z.number().nonnegative().optional(),
  }),
  z.object({ type: z.literal("question"), id: z.string(), question: z.string() }),
  z.object({ type: z.literal("permission_request"), id: z.string(), tool: z.string(), input: z.unknown().optional() }),
  z.object({
    type: z.literal("review"),
    verdict: z.enum(["approve", "request_changes"]),
    comments: z.array(z.string()),
  }),
  z.object({ type: z.literal("done"), summary: z.string().optional() }),
  z.object({ type: z.literal("failed"), reason: z.string() }),
]);
export type AgentEvent = z.infer<typeof AgentEventSchema>;
export type AgentEventType = AgentEvent["type"];
