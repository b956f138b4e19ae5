import type { AgentEvent } from "@flotilla/protocol";

/**
 * `codex exec` never asks: it runs with approvals off, and what its sandbox or approval policy
 * refuses is answered to the model and logged on stderr only, e.g.
 *
 *     … ERROR codex_core::tools::router: error=patch rejected: writing is blocked by read-only sandbox; rejected by user approval settings
 *     … ERROR codex_core::tools::router: error=approval policy is Never; reject command — you cannot ask for escalated permissions …
 *
 * Like Claude Code's permission denials, such a refusal ends the turn as needs_input (a
 * `permission_request` naming the tool and the refusal), not as done: a person decides whether
 * to widen the sandbox in the provider's args or tell the agent to do without.
 */
const REFUSAL = /codex_core::tools::router: error=(.*\breject(?:ed)?\b.*)$/;

export function createRefusalReader(): (line: string) => AgentEvent[] {
  let count = 0;
  return (line) => {
    const refusal = REFUSAL.exec(line)?.[1]?.trim();
    if (refusal === undefined || refusal === "") return [];
    const tool = refusal.startsWith("patch rejected") ? "apply_patch" : "exec_command";
    return [{ type: "permission_request", id: `codex-refusal-${++count}`, tool, input: { refusal } }];
  };
}
