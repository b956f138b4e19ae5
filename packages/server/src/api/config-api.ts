import {
  CleanTaskRequestSchema,
  ConfigScopeSchema,
  SaveConfigRequestSchema,
  type ConfigIssue,
  type ConfigScope,
  type ConfigValidation,
  type FlotillaClient,
} from "@flotilla/client";
import type { ConfigTextCheck, Engine } from "@flotilla/engine";
import { TaskIdSchema, type Project } from "@flotilla/protocol";
import { projectOf, type ApiDeps } from "./api-deps.js";

export type ConfigApi = Pick<FlotillaClient, "cleanTask" | "configFile" | "validateConfig" | "saveConfig">;

/**
 * Config editing (the global file, or a project's `.flotilla/config.*`: read the text, check a
 * text with the loader's own validation, save it only when valid) and removing a resting task's
 * worktree. The engine does the work; this maps scopes and answers to the wire shapes.
 */
export function createConfigApi({ engine }: ApiDeps): ConfigApi {
  return {
    async cleanTask(taskId, input = {}) {
      const { force } = CleanTaskRequestSchema.parse(input);
      const outcome = await engine.cleanTask(TaskIdSchema.parse(taskId), { force });
      return {
        taskId: outcome.taskId,
        removed: outcome.removed,
        ...(outcome.worktree !== undefined ? { worktree: outcome.worktree } : {}),
        ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
      };
    },
    configFile: async (scope) => engine.configFile(scopeProject(engine, ConfigScopeSchema.parse(scope))),
    async validateConfig(input) {
      const request = SaveConfigRequestSchema.parse(input);
      return validation(engine.validateConfigText(request.text, scopeProject(engine, request)));
    },
    async saveConfig(input) {
      const request = SaveConfigRequestSchema.parse(input);
      return validation(engine.saveConfigText(request.text, scopeProject(engine, request)));
    },
  };
}

function scopeProject(engine: Engine, scope: ConfigScope): Project | undefined {
  return scope.scope === "project" ? projectOf(engine, scope.project) : undefined;
}

function validation(check: ConfigTextCheck): ConfigValidation {
  if (check.issues.length === 0) return { valid: true, path: check.path };
  const errors: ConfigIssue[] = check.issues.map((i) => ({
    // A syntax error has no key path: it is the document's.
    path: i.path ?? "(root)",
    ...(i.line !== undefined ? { line: i.line } : {}),
    ...(i.column !== undefined ? { column: i.column } : {}),
    message: i.message,
  }));
  return { valid: false, path: check.path, errors };
}
