import { obj, str } from "../claude-code/json-fields.js";
import type { ParsedOutput } from "../process-turn.js";
import { anthropicTokens, createStreamJsonParser } from "../stream-json.js";

/** Amp's file tools whose successful result means a file changed, and how. */
const FILE_TOOLS: Readonly<Record<string, "write" | "edit">> = {
  create_file: "write",
  edit_file: "edit",
  undo_edit: "edit",
};

/**
 * Maps `amp -x … --stream-json` lines to AgentEvents. Amp follows Claude Code's stream-json
 * (ampcode.com/news/streaming-json), read by the shared parser (`../stream-json.ts`); the session
 * is Amp's thread (`T-<uuid>`, `session_id` on `system/init`). What differs is set here: the file
 * tools (create_file / edit_file / undo_edit, their input names it `path`); usage comes on each
 * `assistant` message, not on the result (a `usage` on the result is used when present), with no
 * cost; an error result carries its text in `error`; `permission_denials` may be plain tool names.
 */
export function createAmpStreamParser(cwd: string): (line: string) => ParsedOutput {
  const usageById = new Map<string, ReturnType<typeof anthropicTokens>>();
  let anonymous = 0;

  return createStreamJsonParser(cwd, {
    fileTools: FILE_TOOLS,
    filePath: (input) => str(input.path),
    onAssistant(message) {
      const usage = obj(message.usage);
      if (usage) usageById.set(str(message.id) ?? `anonymous-${anonymous++}`, anthropicTokens(usage));
    },
    usage(result) {
      const reported = obj(result.usage);
      if (!reported && usageById.size === 0) return undefined;
      const sum = reported
        ? anthropicTokens(reported)
        : [...usageById.values()].reduce(
            (a, b) => ({ inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens }),
            { inputTokens: 0, outputTokens: 0 },
          );
      return { type: "usage", ...sum };
    },
    denials: (result): unknown[] => (Array.isArray(result.permission_denials) ? result.permission_denials : []),
    failureReason(result) {
      const detail = (str(result.error) ?? str(result.result) ?? "").trim();
      const subtype = str(result.subtype);
      const head = subtype !== undefined && subtype !== "success" ? `Amp failed (${subtype})` : "Amp failed";
      return detail !== "" ? `${head}: ${detail}` : head;
    },
    noTypeError: "not an Amp stream-json event (no type)",
  });
}
