import { ConfigSchema, type ConfigInput } from "@flotilla/protocol";
import { structuredError, type StructuredIssue } from "../shared/structured-file.js";
import { flattenZodIssues } from "../shared/zod-issues.js";

/** The environment variables that set config, and the key each one sets. */
export const CONFIG_ENV_VARS = {
  FLOTILLA_DEFAULT_AGENT: ["defaults", "agent"],
  FLOTILLA_VERIFY: ["defaults", "verify"],
  FLOTILLA_TARGET_BRANCH: ["defaults", "targetBranch"],
  FLOTILLA_CONCURRENCY: ["defaults", "concurrency"],
  FLOTILLA_WORKTREE_DIR: ["worktrees", "baseDir"],
  FLOTILLA_ALLOWED_ROOTS: ["projects", "allowedRoots"],
} as const satisfies Record<string, readonly [string, string]>;

type EnvVar = keyof typeof CONFIG_ENV_VARS;

export interface EnvLayer {
  input: ConfigInput;
  /** The variables that were set (and not empty). */
  used: EnvVar[];
}

/**
 * The config layer the environment gives. Empty variables count as unset. A bad value is a
 * config_invalid error naming the variable (`FLOTILLA_CONCURRENCY=abc: ...`).
 */
export function configFromEnv(env: Record<string, string | undefined>): EnvLayer {
  const input: Record<string, Record<string, unknown>> = {};
  const used: EnvVar[] = [];
  const issues: StructuredIssue[] = [];
  for (const name of Object.keys(CONFIG_ENV_VARS) as EnvVar[]) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") continue;
    const [section, key] = CONFIG_ENV_VARS[name];
    let value: unknown = raw;
    if (name === "FLOTILLA_CONCURRENCY") {
      if (!/^\s*\d+\s*$/.test(raw)) {
        issues.push(envIssue(name, raw, "expected a whole number"));
        continue;
      }
      value = Number(raw);
    } else if (name === "FLOTILLA_ALLOWED_ROOTS") {
      value = raw.split(":").filter((p) => p !== "");
    }
    (input[section] ??= {})[key] = value;
    used.push(name);
  }
  const result = ConfigSchema.safeParse(input);
  if (!result.success) {
    for (const issue of flattenZodIssues(result.error.issues)) {
      const name = used.find((n) => CONFIG_ENV_VARS[n].every((seg, i) => issue.path[i] === seg));
      const label = name ?? "environment";
      issues.push(envIssue(label, name !== undefined ? env[name] : undefined, issue.message));
    }
  }
  if (issues.length > 0) throw structuredError("config_invalid", "environment", issues);
  return { input, used };
}

function envIssue(name: string, value: string | undefined, message: string): StructuredIssue {
  return { file: value !== undefined ? `${name}=${value}` : name, message };
}
