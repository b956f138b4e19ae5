import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  BUILTIN_AGENTS,
  BUILTIN_PROVIDERS,
  ConfigSchema,
  FlotillaError,
  type Config,
  type ConfigInput,
} from "@flotilla/protocol";
import {
  parseStructuredDocument,
  readStructuredText,
  structuredError,
  validateStructured,
} from "../shared/structured-file.js";
import { flattenZodIssues, formatKeyPath } from "../shared/zod-issues.js";
import { configFromEnv } from "./env.js";
import { deepMerge, isPlainObject } from "./merge.js";
import { globalConfigDir, projectConfigDir } from "./paths.js";

/** The names a config file may have; one per directory. */
export const CONFIG_FILE_NAMES = ["config.yaml", "config.yml", "config.json"] as const;

export interface LoadConfigOptions {
  /** The user's config dir; `$XDG_CONFIG_HOME/flotilla` or `~/.config/flotilla` unless told. */
  globalDir?: string;
  /** The project whose `.flotilla/config.*` applies, if any. */
  projectDir?: string;
  /** Where FLOTILLA_* variables (and XDG_CONFIG_HOME, HOME) come from; `process.env` unless told. */
  env?: Record<string, string | undefined>;
  /** The last layer: command-line flags, as a partial config. */
  overrides?: ConfigInput;
}

export interface LoadedConfig {
  config: Config;
  /** What contributed, in order: file paths, then `env:NAME` per variable, then `overrides`. */
  sources: string[];
}

/**
 * Loads the config: built-in providers and agents, then the global file, the project file, the
 * environment and the overrides, each later layer winning (objects merge, arrays and scalars
 * replace; a provider or agent with a built-in's name replaces the built-in). Every file is
 * validated on its own, so an error names that file, the key path and the line:column.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const sources: string[] = [];
  let merged: unknown = {};
  const dirs = [options.globalDir ?? globalConfigDir(env)];
  if (options.projectDir !== undefined) dirs.push(projectConfigDir(options.projectDir));
  for (const dir of dirs) {
    const file = findConfigFile(dir);
    if (file === undefined) continue;
    merged = deepMerge(merged, readConfigLayer(file));
    sources.push(file);
  }
  const fromEnv = configFromEnv(env);
  merged = deepMerge(merged, fromEnv.input);
  sources.push(...fromEnv.used.map((name) => `env:${name}`));
  if (options.overrides !== undefined) {
    checkLayer(options.overrides, "overrides");
    merged = deepMerge(merged, options.overrides);
    sources.push("overrides");
  }
  return { config: checkLayer(withBuiltins(merged), "merged config"), sources };
}

/** The config file in `dir`, if there is one; two of them (say yaml and json) is an error. */
export function findConfigFile(dir: string): string | undefined {
  const found = CONFIG_FILE_NAMES.map((name) => join(dir, name)).filter((file) => existsSync(file));
  if (found.length > 1) {
    throw new FlotillaError("config_invalid", `more than one config file in ${dir}: ${found.join(" and ")}; keep one`, {
      files: found,
    });
  }
  return found[0];
}

/** One config file's raw input (for merging), validated on its own first. */
export function readConfigLayer(file: string): unknown {
  const options = { code: "config_invalid", empty: {} } as const;
  const parsed = parseStructuredDocument(readStructuredText(file, options), file, options);
  validateStructured(parsed, ConfigSchema, options);
  return parsed.value;
}

function withBuiltins(merged: unknown): unknown {
  if (!isPlainObject(merged)) return merged;
  const providers = isPlainObject(merged.providers) ? merged.providers : {};
  const agents = isPlainObject(merged.agents) ? merged.agents : {};
  return {
    ...merged,
    providers: { ...BUILTIN_PROVIDERS, ...providers },
    agents: { ...BUILTIN_AGENTS, ...agents },
  };
}

function checkLayer(input: unknown, label: string): Config {
  const result = ConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = flattenZodIssues(result.error.issues).map((i) => ({
    file: label,
    path: formatKeyPath(i.path),
    message: i.message,
  }));
  throw structuredError("config_invalid", label, issues);
}
