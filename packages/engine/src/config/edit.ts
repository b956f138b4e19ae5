import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { ConfigSchema, isFlotillaError } from "@flotilla/protocol";
import { parseStructuredDocument, validateStructured, type StructuredIssue } from "../shared/structured-file.js";
import { CONFIG_FILE_NAMES, findConfigFile } from "./load.js";

/** A config file as it is on disk: where, whether it exists, its text (empty when it does not). */
export interface ConfigFileText {
  path: string;
  exists: boolean;
  text: string;
}

/** A config text checked: every problem with its file:line:col and key path (none: valid). */
export interface ConfigTextCheck {
  path: string;
  issues: StructuredIssue[];
}

/**
 * The config file of a config dir (the global `~/.config/flotilla`, or a project's `.flotilla`):
 * the one that is there (`config.yaml`, `.yml` or `.json`), else where `config.yaml` would go.
 */
export function configFileIn(dir: string): string {
  return findConfigFile(dir) ?? join(dir, CONFIG_FILE_NAMES[0]);
}

/** The text of the config file in `dir` (empty when there is none yet). */
export function readConfigFile(dir: string): ConfigFileText {
  const path = configFileIn(dir);
  if (!existsSync(path)) return { path, exists: false, text: "" };
  return { path, exists: true, text: readFileSync(path, "utf8") };
}

/**
 * Checks a config text exactly as the loader checks the file (`.json` by name, else YAML; the
 * one zod schema; an empty file is an empty layer): a syntax error or every schema problem,
 * each with its line, column and key path. Never throws for a bad text.
 */
export function checkConfigText(text: string, path: string): ConfigTextCheck {
  const options = { code: "config_invalid", empty: {} } as const;
  try {
    validateStructured(parseStructuredDocument(text, path, options), ConfigSchema, options);
    return { path, issues: [] };
  } catch (err) {
    if (isFlotillaError(err) && err.code === "config_invalid") {
      const data = err.data as { issues?: StructuredIssue[] } | undefined;
      return { path, issues: data?.issues ?? [{ file: path, message: err.message }] };
    }
    throw err;
  }
}

/**
 * Saves a config text to the file in `dir` only when it is valid (otherwise writes nothing and
 * answers the problems). Atomic: a temp file beside it, then a rename, so a reader never sees
 * half a file; an existing file keeps its mode.
 */
export function saveConfigFile(dir: string, text: string): ConfigTextCheck {
  const path = configFileIn(dir);
  const check = checkConfigText(text, path);
  if (check.issues.length > 0) return check;
  mkdirSync(dirname(path), { recursive: true });
  const mode = existsSync(path) ? statSync(path).mode & 0o777 : 0o644;
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(temp, text, { encoding: "utf8", mode, flag: "wx" });
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  return check;
}
