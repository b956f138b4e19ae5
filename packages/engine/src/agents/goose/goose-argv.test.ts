import { describe, expect, it } from "vitest";
import { gooseArgv, gooseEnv, gooseSessionName } from "./goose-argv.js";

describe("goose argv", () => {
  const base = { args: [], prompt: "Add a /health endpoint" };

  it("starts a named session with stream-json, the developer extension and the prompt as one element", () => {
    expect(gooseArgv(base, { kind: "new", name: "flotilla-t1-run1" })).toEqual([
      "run",
      "--name",
      "flotilla-t1-run1",
      "--output-format",
      "stream-json",
      "--with-builtin",
      "developer",
      "--text=Add a /health endpoint",
    ]);
  });

  it("resumes by name, with the provider's args as configured (a local LLM) and the system prompt", () => {
    const argv = gooseArgv(
      {
        ...base,
        args: ["--provider", "ollama", "--model", "qwen2.5-coder"],
        model: "ignored",
        systemPrompt: "Be brief.",
      },
      { kind: "resume", name: "flotilla-t1-run1" },
    );
    expect(argv.slice(0, 4)).toEqual(["run", "--resume", "--name", "flotilla-t1-run1"]);
    expect(argv).toEqual(expect.arrayContaining(["--system", "Be brief.", "--provider", "ollama"]));
    expect(argv.filter((a) => a === "--model")).toHaveLength(1); // the args' model wins
    expect(argv.at(-1)).toBe("--text=Add a /health endpoint");
  });

  it("passes the agent's model, and leaves extensions to args that choose them", () => {
    const argv = gooseArgv(
      { ...base, args: ["--with-builtin", "developer,memory"], model: "gpt-4o" },
      {
        kind: "new",
        name: "n",
      },
    );
    expect(argv).toEqual(expect.arrayContaining(["--model", "gpt-4o"]));
    expect(argv.filter((a) => a === "--with-builtin")).toHaveLength(1);
  });

  it("names sessions with plain characters, and sets headless defaults the env did not", () => {
    expect(gooseSessionName("api/health check", "run_9")).toBe("flotilla-api_health_check-run_9");
    expect(gooseEnv({ GOOSE_MODE: "smart_approve" })).toMatchObject({
      GOOSE_MODE: "smart_approve",
      GOOSE_TELEMETRY_ENABLED: "false",
    });
  });
});
