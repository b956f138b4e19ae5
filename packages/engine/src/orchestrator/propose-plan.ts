import { FlotillaError, newId, type Plan, type Project, type Script } from "@flotilla/protocol";
import { agentForRole, resolveAgent, turnSettingsOf } from "../config/index.js";
import { parsePlanText } from "../plan/index.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import { addThrowawayWorktree, removeThrowawayWorktree, throwawayWorktree } from "./throwaway-worktree.js";

export interface ProposeOptions {
  goal: string;
  /** The agent that plans; the config's orchestrator-role agent unless told. */
  agent?: string;
  /** The scripted orchestrator's script (it answers with the plan in a message). */
  script?: Script;
  shutdown: AbortSignal;
}

export interface Proposal {
  plan: Plan;
  /** The plan as the agent wrote it (YAML or JSON), to show and to save. */
  text: string;
  format: "yaml" | "json";
}

const INSTRUCTIONS = `Break the goal into a plan for Flotilla: small tasks that coding agents can do in parallel.
Answer with ONE fenced block (\`\`\`yaml) holding the plan:
tasks:
  - id: short-id            # letters, digits, . _ -
    title: ...
    prompt: what the agent must do, precisely
    dependsOn: [other-id]   # tasks that must land first
    writes: ["src/x/**"]    # globs of the files it will change (tasks with overlapping writes never run at once)
Keep tasks independent where you can.`;

/**
 * Asks the orchestrator-role agent to break a goal into a plan (seed 004). The agent works in a
 * throwaway worktree of the project (it may read the code; it never touches the user's checkout),
 * and its answer is validated by the same schema and checks as a plan file.
 */
export async function proposePlan(deps: PipelineDeps, project: Project, options: ProposeOptions): Promise<Proposal> {
  const config = deps.configFor(project);
  const agentName = options.agent ?? agentForRole(config, "orchestrator");
  const agent = resolveAgent(config, agentName, { role: "orchestrator" });
  const adapter = deps.adapters.get(agent.provider.adapter);
  if (!adapter)
    throw new FlotillaError(
      "agent_unavailable",
      `agent "${agentName}" uses the ${agent.provider.adapter} adapter, which this build does not have yet`,
    );
  if (agent.provider.adapter === "scripted" && options.script === undefined) {
    throw new FlotillaError(
      "invalid_input",
      `the orchestrator "${agentName}" is the scripted agent and needs a script (--script FILE)`,
    );
  }
  const id = newId("plan");
  // Recorded as held by this process (with the marker its agent carries, the id) before it is
  // made: after a SIGKILL the next command's reconcile ends that agent by its marker and removes
  // the worktree and its branch (throwaway-worktree.ts); while this process lives, nothing does.
  const worktree = throwawayWorktree(deps, "planning", id, project.path);
  const base = await deps.git.revParse(project.path, "HEAD");
  await addThrowawayWorktree(deps, worktree, base);
  const messages: string[] = [];
  try {
    const turn = adapter.start({
      runId: id.replace(/^plan_/, "run_"),
      taskId: id,
      cwd: worktree.path,
      prompt: `${INSTRUCTIONS}\n\nGoal: ${options.goal}`,
      ...turnSettingsOf(agent),
      ...(options.script !== undefined ? { script: options.script } : {}),
      env: { ...deps.baseEnv, ...(deps.providerEnv?.(agent.provider.name) ?? {}), ...agent.env },
      marker: id,
      onEvent: (e) => {
        if (e.type === "message") messages.push(e.text);
      },
      onOutput: () => undefined,
    });
    const onAbort = () => void turn.cancel(2000);
    options.shutdown.addEventListener("abort", onAbort, { once: true });
    const result = await turn.result;
    options.shutdown.removeEventListener("abort", onAbort);
    if (result.outcome !== "done") {
      const why =
        result.outcome === "failed"
          ? result.reason
          : result.outcome === "needs_input"
            ? `it asked: ${result.question}`
            : "it was stopped";
      throw new FlotillaError("process_failed", `the orchestrator did not produce a plan: ${why}`);
    }
  } finally {
    await removeThrowawayWorktree(deps, worktree);
  }
  return extractPlan(messages.join("\n\n"));
}

/** The plan in the agent's answer: the last fenced yaml/json block, else the whole text. */
export function extractPlan(answer: string): Proposal {
  const blocks = [...answer.matchAll(/```(yaml|yml|json)?[^\n]*\n([\s\S]*?)```/g)];
  const last = blocks[blocks.length - 1];
  const text = (last?.[2] ?? answer).trim() + "\n";
  const format = last?.[1] === "json" || text.trimStart().startsWith("{") ? "json" : "yaml";
  if (text.trim() === "") throw new FlotillaError("invalid_input", "the orchestrator's answer holds no plan");
  const plan = parsePlanText(text, format === "json" ? "orchestrator-answer.json" : "orchestrator-answer.yaml");
  return { plan, text, format };
}
