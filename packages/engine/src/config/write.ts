import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigSchema, FlotillaError, type ConfigInput } from "@flotilla/protocol";
import { stringify } from "yaml";
import { structuredError } from "../shared/structured-file.js";
import { flattenZodIssues, formatKeyPath } from "../shared/zod-issues.js";
import { CONFIG_FILE_NAMES, findConfigFile } from "./load.js";
import { projectConfigDir } from "./paths.js";

export interface WriteProjectConfigOptions {
  /** Replace an existing `.flotilla/config.yaml`; without it, an existing file is an error. */
  overwrite?: boolean;
}

/**
 * Writes `<projectDir>/.flotilla/config.yaml` (for `flotilla init`), validating first: invalid
 * input is refused and nothing is written. Returns the file's path.
 */
export function writeProjectConfig(
  projectDir: string,
  input: ConfigInput,
  options: WriteProjectConfigOptions = {},
): string {
  const dir = projectConfigDir(projectDir);
  const file = join(dir, CONFIG_FILE_NAMES[0]);
  const result = ConfigSchema.safeParse(input);
  if (!result.success) {
    const issues = flattenZodIssues(result.error.issues).map((i) => ({
      file,
      path: formatKeyPath(i.path),
      message: i.message,
    }));
    throw structuredError("config_invalid", file, issues);
  }
  const existing = findConfigFile(dir);
  if (existing !== undefined && (existing !== file || options.overwrite !== true)) {
    throw new FlotillaError("already_exists", `a project config already exists: ${existing}`, { file: existing });
  }
  mkdirSync(dir, { recursive: true });
  const text = `# Flotilla project configuration (see \`flotilla config schema\`).\n${stringify(input)}`;
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text, "utf8");
  renameSync(temp, file);
  return file;
}
