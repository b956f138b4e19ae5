import type { AdapterKind } from "@flotilla/protocol";

/**
 * The variable a provider's key is given to its agent processes as, by adapter kind, when the
 * key is stored without one. Goose reads the key of whichever provider it is set up with
 * (GOOSE_PROVIDER), and the scripted and command adapters have no usual one: those need it named.
 */
export function defaultEnvVar(adapter: AdapterKind): string | undefined {
  switch (adapter) {
    case "claude-code":
    case "opencode":
      return "ANTHROPIC_API_KEY";
    case "codex":
      return "OPENAI_API_KEY";
    case "amp":
      return "AMP_API_KEY";
    case "goose":
    case "scripted":
    case "command":
      return undefined;
  }
}
