import { BUILTIN_ROLE_PROMPTS, ConfigSchema, FlotillaError, type ConfigInput } from "@flotilla/protocol";
import { describe, expect, it } from "vitest";
import { agentForRole, knownAgents, resolveAgent } from "./resolve-agent.js";

const parse = (input: ConfigInput = {}) => ConfigSchema.parse(input);

function failure(fn: () => unknown): FlotillaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FlotillaError);
    return e as FlotillaError;
  }
  throw new Error("expected a failure");
}

describe("resolveAgent", () => {
  it("passes the binary, args and env through exactly, agent after provider", () => {
    const config = parse({
      providers: {
        local: {
          adapter: "command",
          command: "/opt/bin/my agent",
          args: ["--flag=a b", "", "$HOME", "'quoted'"],
          env: { SHARED: "provider", ONLY_P: "x y" },
        },
      },
      agents: {
        mine: { provider: "local", model: "m1", args: ["--model", "m1"], env: { SHARED: "agent", ONLY_A: "" } },
      },
    });
    const r = resolveAgent(config, "mine");
    expect(r.name).toBe("mine");
    expect(r.command).toBe("/opt/bin/my agent");
    expect(r.args).toEqual(["--flag=a b", "", "$HOME", "'quoted'", "--model", "m1"]);
    expect(r.env).toEqual({ SHARED: "agent", ONLY_P: "x y", ONLY_A: "" });
    expect(r.provider).toEqual({
      name: "local",
      adapter: "command",
      command: "/opt/bin/my agent",
      args: config.providers.local?.args,
      env: config.providers.local?.env,
    });
    expect(r.agent.model).toBe("m1");
    expect(r.role).toBe("coder");
    expect(r.systemPrompt).toBe(BUILTIN_ROLE_PROMPTS.coder);
  });

  it("resolves built-ins even from a config parsed without them", () => {
    const r = resolveAgent(parse(), "claude");
    expect(r.provider.name).toBe("claude-code");
    expect(r.command).toBe("claude");
    expect(r.args).toEqual([]);
    const scripted = resolveAgent(parse(), "scripted");
    expect(scripted.command).toBeUndefined();
    expect("command" in scripted).toBe(false);
  });

  it("takes the prompt from the agent, then roles.<role>.prompt, then the built-in", () => {
    const config = parse({
      roles: { reviewer: { prompt: "Review hard." } },
      agents: {
        r1: { provider: "scripted", role: "reviewer" },
        r2: { provider: "scripted", role: "reviewer", prompt: "Mine." },
      },
    });
    expect(resolveAgent(config, "r1").systemPrompt).toBe("Review hard.");
    expect(resolveAgent(config, "r2").systemPrompt).toBe("Mine.");
    expect(resolveAgent(config, "scripted-reviewer").systemPrompt).toBe("Review hard.");
    const asReviewer = resolveAgent(config, "claude", { role: "reviewer" });
    expect(asReviewer.role).toBe("reviewer");
    expect(asReviewer.systemPrompt).toBe("Review hard.");
    expect(resolveAgent(config, "claude", { role: "tester" }).systemPrompt).toBe(BUILTIN_ROLE_PROMPTS.tester);
  });

  it("names the known agents when one is unknown", () => {
    const config = parse({ agents: { zed: { provider: "codex" } } });
    const err = failure(() => resolveAgent(config, "x"));
    expect(err.code).toBe("invalid_input");
    expect(err.message).toBe(`unknown agent "x" (known: ${knownAgents(config).join(", ")})`);
    expect(err.message).toContain("zed");
    expect(err.message).toContain("claude");
    expect(failure(() => resolveAgent(config, "toString")).code).toBe("invalid_input");
    expect(failure(() => resolveAgent(config, "__proto__")).code).toBe("invalid_input");
  });

  it("is config_invalid, naming agent and provider, when the provider is unknown", () => {
    const err = failure(() => resolveAgent(parse({ agents: { broken: { provider: "nope" } } }), "broken"));
    expect(err.code).toBe("config_invalid");
    expect(err.message).toContain('agent "broken"');
    expect(err.message).toContain('provider "nope"');
    expect(err.data).toEqual({ agent: "broken", provider: "nope" });
  });
});

describe("agentForRole", () => {
  it("uses roles.<role>.agent, else the default agent", () => {
    const config = parse({ defaults: { agent: "claude" }, roles: { tester: { agent: "codex" } } });
    expect(agentForRole(config, "coder")).toBe("claude");
    expect(agentForRole(config, "tester")).toBe("codex");
    expect(agentForRole(config, "reviewer")).toBe("claude");
    expect(agentForRole(config, "orchestrator")).toBe("claude");
  });

  it("reviews with scripted-reviewer when the default agent is scripted", () => {
    const config = parse();
    expect(agentForRole(config, "coder")).toBe("scripted");
    expect(agentForRole(config, "reviewer")).toBe("scripted-reviewer");
    expect(agentForRole(parse({ roles: { reviewer: { agent: "claude" } } }), "reviewer")).toBe("claude");
  });
});
