import { z } from "zod";

/**
 * The script: a list of rules, each a match and the steps to serve, in order, one per model
 * request of the turn. Authored in YAML or JSON (see docs/mock-llm.md); validated here.
 */

export type ToolStep =
  | { kind: "write"; path: string; content: string }
  | { kind: "bash"; command: string }
  | { kind: "edit"; path: string; find: string; replace: string }
  | { kind: "call"; name: string; input: Record<string, unknown> | string };

export type Step =
  | { kind: "text"; text: string }
  | ToolStep
  | { kind: "repeat"; step: ToolStep }
  | { kind: "error"; status: number; message: string; times?: number; retryAfterMs?: number }
  | { kind: "sleep"; ms: number };

export interface Rule {
  name?: string;
  match: { prompt?: RegExp; system?: RegExp; model?: string };
  turns: Step[];
}

export interface MockScript {
  /** Model names for `GET /v1/models`: the script's `models`, every `match.model`, and `mock-model`. */
  models: string[];
  rules: Rule[];
}

/** `"text"` is a regex source; `"/text/flags"` a regex with flags (e.g. `/hello/i`). */
export function compileRegex(source: string): RegExp {
  const literal = /^\/(.*)\/([dgimsuy]*)$/s.exec(source);
  return literal ? new RegExp(literal[1] ?? "", literal[2]) : new RegExp(source);
}

const Regex = z
  .string()
  .min(1)
  .transform((source, ctx) => {
    try {
      return compileRegex(source);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: `not a valid regular expression: ${(err as Error).message}` });
      return z.NEVER;
    }
  });

const Path = z.string().min(1, "a path must not be empty");
const Write = z.strictObject({ path: Path, content: z.string() });
const Bash = z.strictObject({ command: z.string().min(1, "a command must not be empty") });
const Edit = z.strictObject({ path: Path, find: z.string().min(1, "find must not be empty"), replace: z.string() });
const Call = z.strictObject({
  name: z.string().min(1),
  input: z.union([z.record(z.string(), z.unknown()), z.string()]).default({}),
});
const ErrorSpec = z.strictObject({
  status: z.number().int().min(400).max(599),
  message: z.string().optional(),
  times: z.number().int().positive().optional(),
  retryAfterMs: z.number().int().nonnegative().optional(),
});
const Sleep = z.strictObject({ ms: z.number().int().nonnegative().max(600_000) });

const TOOL_KEYS = ["write", "bash", "edit", "call"] as const;
const STEP_KEYS = ["text", ...TOOL_KEYS, "repeat", "error", "sleep"] as const;

type RawTool = {
  write?: z.infer<typeof Write>;
  bash?: z.infer<typeof Bash>;
  edit?: z.infer<typeof Edit>;
  call?: z.infer<typeof Call>;
};

function onlyKey<K extends string>(raw: object, allowed: readonly K[], ctx: z.RefinementCtx): K | undefined {
  const present = allowed.filter((k) => (raw as Record<string, unknown>)[k] !== undefined);
  if (present.length === 1) return present[0];
  // An unknown key (e.g. a misspelt `wrte`) is reported already; "it has none" would only repeat it.
  if (present.length === 0 && ctx.issues.length > 0) return undefined;
  const has = present.length === 0 ? "none" : present.join(", ");
  ctx.addIssue({ code: "custom", message: `a step needs exactly one of ${allowed.join(", ")}; it has ${has}` });
  return undefined;
}

function toolStep(raw: RawTool, key: (typeof TOOL_KEYS)[number]): ToolStep {
  switch (key) {
    case "write":
      return { kind: "write", ...raw.write! };
    case "bash":
      return { kind: "bash", ...raw.bash! };
    case "edit":
      return { kind: "edit", ...raw.edit! };
    case "call":
      return { kind: "call", ...raw.call! };
  }
}

const ToolStepSchema = z
  .strictObject({ write: Write.optional(), bash: Bash.optional(), edit: Edit.optional(), call: Call.optional() })
  .transform((raw, ctx): ToolStep => {
    const key = onlyKey(raw, TOOL_KEYS, ctx);
    return key ? toolStep(raw, key) : z.NEVER;
  });

const StepSchema = z.preprocess(
  (v) => (typeof v === "string" ? { text: v } : v),
  z
    .strictObject({
      text: z.string().optional(),
      write: Write.optional(),
      bash: Bash.optional(),
      edit: Edit.optional(),
      call: Call.optional(),
      repeat: ToolStepSchema.optional(),
      error: ErrorSpec.optional(),
      sleep: Sleep.optional(),
    })
    .transform((raw, ctx): Step => {
      const key = onlyKey(raw, STEP_KEYS, ctx);
      switch (key) {
        case undefined:
          return z.NEVER;
        case "text":
          return { kind: "text", text: raw.text! };
        case "repeat":
          return { kind: "repeat", step: raw.repeat! };
        case "error": {
          const e = raw.error!;
          return { kind: "error", ...e, message: e.message ?? `mock-llm: scripted error ${e.status}` };
        }
        case "sleep":
          return { kind: "sleep", ms: raw.sleep!.ms };
        default:
          return toolStep(raw, key);
      }
    }),
);

const RuleSchema = z
  .strictObject({
    name: z.string().optional(),
    match: z
      .strictObject({ prompt: Regex.optional(), system: Regex.optional(), model: z.string().min(1).optional() })
      .default({}),
    turns: z.array(StepSchema).min(1, "a rule needs at least one step"),
  })
  .superRefine((rule, ctx) => {
    rule.turns.forEach((step, i) => {
      if ((step.kind === "text" || step.kind === "repeat") && i < rule.turns.length - 1) {
        const why = step.kind === "text" ? "a text step ends the turn" : "a repeat step serves every later request";
        ctx.addIssue({ code: "custom", path: ["turns", i], message: `${why}, so it must be the last step` });
      }
    });
  });

const compiled = new WeakSet<object>();

/** Whether `value` is a script this module validated (and so needs no second validation). */
export function isCompiledScript(value: unknown): value is MockScript {
  return typeof value === "object" && value !== null && compiled.has(value);
}

const ScriptObject = z
  .strictObject({ models: z.array(z.string().min(1)).optional(), rules: z.array(RuleSchema) })
  .transform((raw): MockScript => {
    const named = raw.rules.flatMap((r) => (r.match.model ? [r.match.model] : []));
    const models = [...new Set([...(raw.models ?? []), ...named, "mock-model"])];
    const script: MockScript = { models, rules: raw.rules };
    compiled.add(script);
    return script;
  });

/** The script schema: `{ models?, rules }`, or just the list of rules. */
export const ScriptSchema = z.preprocess((v) => (Array.isArray(v) ? { rules: v } : v), ScriptObject);

/** A script before validation (the YAML/JSON shape): `{ models?, rules }` or the list of rules. */
export type ScriptInput = z.input<typeof ScriptObject> | z.input<typeof ScriptObject>["rules"];
