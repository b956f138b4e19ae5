import type { AgentTurnInput } from "../agents/types.js";
import {
  AgentConfigSchema,
  BUILTIN_AGENTS,
  BUILTIN_PROVIDERS,
  BUILTIN_ROLE_PROMPTS,
  FlotillaError,
  ProviderConfigSchema,
  type AgentConfig,
  type Config,
  type ProviderConfig,
  type Role,
} from "@flotilla/protocol";

/** An agent with everything needed to start it: its provider, binary, argv, env and prompt. */
export interface ResolvedAgent {
  name: string;
  agent: AgentConfig;
  provider: ProviderConfig & { name: string };
  role: Role;
  systemPrompt: string;
  /** The binary, exactly as configured (the provider's `command`); none for in-process adapters. */
  command?: string;
  /** The provider's args, then the agent's. */
  args: string[];
  /** The provider's env with the agent's merged over it. */
  env: Record<string, string>;
}

/** What a turn of this agent takes from its configuration: its prompt, model, binary and args. */
export function turnSettingsOf(
  agent: ResolvedAgent,
): Pick<AgentTurnInput, "systemPrompt" | "model" | "command" | "args"> {
  return {
    systemPrompt: agent.systemPrompt,
    ...(agent.agent.model !== undefined ? { model: agent.agent.model } : {}),
    ...(agent.command !== undefined ? { command: agent.command } : {}),
    args: agent.args,
  };
}

export interface ResolveAgentOptions {
  /** Run the agent in this role (its prompt) instead of the agent's own. */
  role?: Role;
}

/**
 * Resolves an agent by name. Built-in agents and providers count even in a config that was
 * parsed without them; the config's own win by name.
 */
export function resolveAgent(config: Config, name: string, options: ResolveAgentOptions = {}): ResolvedAgent {
  const agents = allAgents(config);
  const agent = agents.get(name);
  if (agent === undefined) {
    const known = [...agents.keys()].sort().join(", ");
    throw new FlotillaError("invalid_input", `unknown agent "${name}" (known: ${known})`, { agent: name });
  }
  const providers = allProviders(config);
  const provider = providers.get(agent.provider);
  if (provider === undefined) {
    const known = [...providers.keys()].sort().join(", ");
    throw new FlotillaError(
      "config_invalid",
      `agent "${name}" uses provider "${agent.provider}", which is not configured (known providers: ${known})`,
      { agent: name, provider: agent.provider },
    );
  }
  const role = options.role ?? agent.role;
  const systemPrompt = agent.prompt ?? config.roles[role]?.prompt ?? BUILTIN_ROLE_PROMPTS[role];
  return {
    name,
    agent,
    provider: { ...provider, name: agent.provider },
    role,
    systemPrompt,
    ...(provider.command !== undefined ? { command: provider.command } : {}),
    args: [...provider.args, ...agent.args],
    env: { ...provider.env, ...agent.env },
  };
}

/**
 * The agent for a role: `roles.<role>.agent`, else the default agent; for reviewing,
 * "scripted-reviewer" when the default agent is "scripted".
 */
export function agentForRole(config: Config, role: Role): string {
  const chosen = config.roles[role]?.agent;
  if (chosen !== undefined) return chosen;
  const fallback = config.defaults.agent;
  if (role === "reviewer" && fallback === "scripted") return "scripted-reviewer";
  return fallback;
}

/** The names of every agent the config knows, built-ins included, sorted. */
export function knownAgents(config: Config): string[] {
  return [...allAgents(config).keys()].sort();
}

/** Maps, not objects: a name such as "toString" or "__proto__" must not find anything. */
function allAgents(config: Config): Map<string, AgentConfig> {
  const out = new Map<string, AgentConfig>();
  for (const [name, input] of Object.entries(BUILTIN_AGENTS)) out.set(name, AgentConfigSchema.parse(input));
  for (const [name, agent] of Object.entries(config.agents)) out.set(name, agent);
  return out;
}

function allProviders(config: Config): Map<string, ProviderConfig> {
  const out = new Map<string, ProviderConfig>();
  for (const [name, input] of Object.entries(BUILTIN_PROVIDERS)) out.set(name, ProviderConfigSchema.parse(input));
  for (const [name, provider] of Object.entries(config.providers)) out.set(name, provider);
  return out;
}
