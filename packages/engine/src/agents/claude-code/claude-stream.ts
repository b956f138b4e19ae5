import type { ParsedOutput } from "../process-turn.js";
import { anthropicTokens, createStreamJsonParser } from "../stream-json.js";
import { arrayOf, num, obj, str, type Json } from "./json-fields.js";

/** Tools whose successful result means a file changed, and how. */
const FILE_TOOLS: Readonly<Record<string, "write" | "edit">> = {
  Write: "write",
  Edit: "edit",
  MultiEdit: "edit",
  NotebookEdit: "edit",
};

/**
 * Maps Claude Code's `--output-format stream-json --verbose` lines to AgentEvents: the format
 * itself is read by the shared stream-json parser (`../stream-json.ts`); what is Claude's:
 *
 * - `file_change` when a Write/Edit/MultiEdit/NotebookEdit succeeded (`file_path`, `notebook_path`)
 * - usage only from the `result` line (input tokens include cache reads and writes; `total_cost_usd`)
 * - an `is_error` result fails with its text, or its `errors`, with the subtype and HTTP status
 * - `permission_denials` are objects (anything else in the list is skipped)
 */
export function createClaudeStreamParser(cwd: string): (line: string) => ParsedOutput {
  return createStreamJsonParser(cwd, {
    fileTools: FILE_TOOLS,
    filePath: (input) => str(input.file_path) ?? str(input.notebook_path),
    usage(result) {
      const usage = obj(result.usage);
      if (!usage) return undefined;
      const cost = num(result.total_cost_usd);
      return { type: "usage", ...anthropicTokens(usage), ...(cost !== undefined ? { costUsd: cost } : {}) };
    },
    denials: (result) => arrayOf(result.permission_denials),
    failureReason: errorReason,
    noTypeError: "not a stream-json event (no type)",
  });
}

/** Why an `is_error` result failed: its text, or its `errors`, with the subtype when it says more. */
function errorReason(result: Json): string {
  const text = str(result.result)?.trim();
  const errors = Array.isArray(result.errors) ? result.errors.filter((e): e is string => typeof e === "string") : [];
  const detail = text !== undefined && text !== "" ? text : errors.join("; ");
  const subtype = str(result.subtype);
  const status = num(result.api_error_status);
  const what = [
    subtype && subtype !== "success" ? subtype : undefined,
    status !== undefined ? `HTTP ${status}` : undefined,
  ]
    .filter((s) => s !== undefined)
    .join(", ");
  const head = what !== "" ? `Claude Code failed (${what})` : "Claude Code failed";
  return detail !== "" ? `${head}: ${detail}` : head;
}
