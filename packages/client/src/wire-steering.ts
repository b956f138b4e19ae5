import { z } from "zod";

/**
 * The steering half of the API (issues 6 and 7): the needs-you inbox, follow-ups into a task's
 * session, diffs and inline review comments, transcripts, worktree clean-up, config editing and
 * provider keys. Requests and responses both live here; the server validates every body with
 * these, the HTTP client parses every answer with them, and the types are inferred from them.
 */

// ── inbox ───────────────────────────────────────────────────────────────────────────────────
export const InboxKindSchema = z.enum(["question", "permission", "conflict", "failure", "approval"]);
export const InboxActionSchema = z.enum(["answer", "approve", "deny"]);

/** One thing waiting for a person (derived from the store each time; `id` changes when it moves). */
export const InboxItemSchema = z.object({
  id: z.string(),
  kind: InboxKindSchema,
  taskId: z.string(),
  projectId: z.string(),
  title: z.string(),
  since: z.string(),
  seq: z.number().int(),
  text: z.string(),
  tool: z.string().optional(),
  input: z.unknown().optional(),
  runId: z.string().optional(),
  files: z.array(z.string()).optional(),
  actions: z.array(InboxActionSchema),
});
export type InboxItem = z.infer<typeof InboxItemSchema>;
export const InboxListSchema = z.object({ items: z.array(InboxItemSchema) });

export const AnswerRequestSchema = z.object({ text: z.string().min(1).max(100_000) });
export type AnswerRequest = z.input<typeof AnswerRequestSchema>;
export const ApproveRequestSchema = z.object({
  /** For a permission request: allow this tool for the rest of this task without asking again. */
  always: z.boolean().default(false),
});
export type ApproveRequest = z.input<typeof ApproveRequestSchema>;
export const DenyRequestSchema = z.object({ reason: z.string().max(10_000).optional() });
export type DenyRequest = z.input<typeof DenyRequestSchema>;

// ── follow-ups, diffs, review comments ──────────────────────────────────────────────────────
/** A message into a task's agent session (a prompt-box follow-up or "request changes"). */
export const FollowUpRequestSchema = z.object({ text: z.string().min(1).max(100_000) });
export type FollowUpRequest = z.input<typeof FollowUpRequestSchema>;

export const DiffLineSchema = z.object({
  kind: z.enum(["context", "add", "del"]),
  text: z.string(),
  /** The line's number in the old file (context and del). */
  oldLine: z.number().int().positive().optional(),
  /** The line's number in the new file (context and add). */
  newLine: z.number().int().positive().optional(),
});
export type DiffLine = z.infer<typeof DiffLineSchema>;

export const DiffHunkSchema = z.object({
  header: z.string(),
  oldStart: z.number().int().nonnegative(),
  oldLines: z.number().int().nonnegative(),
  newStart: z.number().int().nonnegative(),
  newLines: z.number().int().nonnegative(),
  lines: z.array(DiffLineSchema),
});
export type DiffHunk = z.infer<typeof DiffHunkSchema>;

export const DiffFileSchema = z.object({
  path: z.string(),
  oldPath: z.string().optional(),
  status: z.enum(["added", "modified", "deleted", "renamed"]),
  binary: z.boolean(),
  additions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  hunks: z.array(DiffHunkSchema),
});
export type DiffFile = z.infer<typeof DiffFileSchema>;

/** What a task changed: its branch head against the merge base with its target branch. */
export const TaskDiffSchema = z.object({
  taskId: z.string(),
  base: z.string(),
  head: z.string(),
  files: z.array(DiffFileSchema),
  /** The patch was cut at the size limit. */
  truncated: z.boolean(),
});
export type TaskDiff = z.infer<typeof TaskDiffSchema>;

/** A comment on one line of a task's diff: `side` new = a line of the new file, old = a removed line. */
export const ReviewCommentSchema = z.object({
  path: z.string().min(1).max(4096),
  line: z.number().int().positive(),
  side: z.enum(["old", "new"]).default("new"),
  body: z.string().min(1).max(20_000),
});
export type ReviewComment = z.input<typeof ReviewCommentSchema>;

/**
 * Inline comments sent back to the agent as ONE follow-up. `head` is the commit the reviewer
 * read: comments on lines that no longer exist at the task's current head are refused
 * (`invalid_input`, naming each), and nothing is sent.
 */
export const ReviewCommentsRequestSchema = z.object({
  head: z.string().regex(/^[0-9a-f]{4,64}$/, "must be a commit hash"),
  comments: z.array(ReviewCommentSchema).min(1).max(500),
  /** Said before the comments (optional). */
  summary: z.string().max(20_000).optional(),
});
export type ReviewCommentsRequest = z.input<typeof ReviewCommentsRequestSchema>;

// ── transcript ──────────────────────────────────────────────────────────────────────────────
/** One entry of a task's conversation with its agents, in order. */
export const TranscriptEntrySchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("run"),
    seq: z.number().int(),
    at: z.string(),
    runId: z.string(),
    agent: z.string(),
    attempt: z.number().int(),
    role: z.string().optional(),
  }),
  /** What was sent to the agent: the prompt, a follow-up, review feedback, an answer. */
  z.object({ kind: z.literal("user"), seq: z.number().int(), at: z.string(), runId: z.string(), text: z.string() }),
  z.object({ kind: z.literal("agent"), seq: z.number().int(), at: z.string(), runId: z.string(), text: z.string() }),
  z.object({
    kind: z.literal("tool"),
    seq: z.number().int(),
    at: z.string(),
    runId: z.string(),
    callId: z.string().optional(),
    name: z.string(),
    input: z.unknown().optional(),
    /** Filled in when the result arrives. */
    output: z.string().optional(),
    isError: z.boolean().optional(),
  }),
  z.object({
    kind: z.literal("notice"),
    seq: z.number().int(),
    at: z.string(),
    runId: z.string().optional(),
    /** question, permission, review, watchdog, status, usage, ... */
    topic: z.string(),
    text: z.string(),
  }),
]);
export type TranscriptEntry = z.infer<typeof TranscriptEntrySchema>;
export const TranscriptSchema = z.object({
  taskId: z.string(),
  lastSeq: z.number().int(),
  entries: z.array(TranscriptEntrySchema),
});
export type Transcript = z.infer<typeof TranscriptSchema>;

// ── worktree clean-up ───────────────────────────────────────────────────────────────────────
export const CleanTaskRequestSchema = z.object({
  /** Remove it even with uncommitted changes (they are committed to the task's branch first). */
  force: z.boolean().default(false),
});
export type CleanTaskRequest = z.input<typeof CleanTaskRequestSchema>;
export const CleanTaskResultSchema = z.object({
  taskId: z.string(),
  removed: z.boolean(),
  worktree: z.string().optional(),
  /** Why it was kept (running, uncommitted work without force, ...). */
  reason: z.string().optional(),
});
export type CleanTaskResult = z.infer<typeof CleanTaskResultSchema>;

// ── config editing ──────────────────────────────────────────────────────────────────────────
/** Global config, or a project's (`.flotilla/config.yaml` in its repository). */
export const ConfigScopeSchema = z.discriminatedUnion("scope", [
  z.object({ scope: z.literal("global") }),
  z.object({ scope: z.literal("project"), project: z.string().min(1).max(4096) }),
]);
export type ConfigScope = z.input<typeof ConfigScopeSchema>;

/** A config file's text as it is on disk (empty when it does not exist yet). */
export const ConfigFileSchema = z.object({ path: z.string(), exists: z.boolean(), text: z.string() });
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

export const SaveConfigRequestSchema = z.intersection(ConfigScopeSchema, z.object({ text: z.string().max(1_000_000) }));
export type SaveConfigRequest = z.input<typeof SaveConfigRequestSchema>;

/** A problem in a config text: where (file:line:col and the key path) and what. */
export const ConfigIssueSchema = z.object({
  path: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  message: z.string(),
});
export type ConfigIssue = z.infer<typeof ConfigIssueSchema>;
export const ConfigValidationSchema = z.discriminatedUnion("valid", [
  z.object({ valid: z.literal(true), path: z.string() }),
  z.object({ valid: z.literal(false), path: z.string(), errors: z.array(ConfigIssueSchema) }),
]);
export type ConfigValidation = z.infer<typeof ConfigValidationSchema>;

// ── provider keys ───────────────────────────────────────────────────────────────────────────
export const ProviderNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "must be a provider name (letters, digits, . _ -)");
export const EnvVarNameSchema = z.string().regex(/^[A-Z_][A-Z0-9_]{0,127}$/, "must be an environment variable name");

/** A stored key as the UIs see it: never the secret, only its last 4 characters. */
export const ProviderKeySchema = z.object({
  provider: z.string(),
  /** The variable the key is given to the provider's agent processes as. */
  envVar: z.string(),
  /** e.g. `sk-…a1b2`. */
  masked: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ProviderKey = z.infer<typeof ProviderKeySchema>;
export const ProviderKeyListSchema = z.object({ keys: z.array(ProviderKeySchema) });

/** Adds a provider's key, or rotates it (a new data key, the old ciphertext gone). */
export const SetProviderKeyRequestSchema = z.object({
  provider: ProviderNameSchema,
  /** Default: the adapter's usual variable (ANTHROPIC_API_KEY, OPENAI_API_KEY, ...). */
  envVar: EnvVarNameSchema.optional(),
  secret: z.string().min(8).max(4096),
});
export type SetProviderKeyRequest = z.input<typeof SetProviderKeyRequestSchema>;
