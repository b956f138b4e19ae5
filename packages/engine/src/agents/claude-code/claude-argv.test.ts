import { describe, expect, it } from "vitest";
import { claudeArgv, claudeEnv } from "./claude-argv.js";

const base = { args: [] as string[], prompt: "Add a test" };

describe("claude argv", () => {
  it("starts a session with its id chosen up front, the default permissions, and the prompt after --", () => {
    expect(claudeArgv(base, { kind: "new", id: "S1" })).toEqual([
      "-p",
      "--output-format",
      "stream-json",
      "--verbose",
      "--session-id",
      "S1",
      "--permission-mode",
      "acceptEdits",
      "--allowedTools",
      "Bash",
      "--",
      "Add a test",
    ]);
  });

  it("resumes a session for a follow-up", () => {
    const argv = claudeArgv({ ...base, prompt: "-now fix it" }, { kind: "resume", id: "S1" });
    expect(argv.slice(4, 6)).toEqual(["--resume", "S1"]);
    expect(argv).not.toContain("--session-id");
    expect(argv.slice(-2)).toEqual(["--", "-now fix it"]);
  });

  it("passes the model and the system prompt", () => {
    const argv = claudeArgv({ ...base, model: "opus", systemPrompt: "You are a coder." }, { kind: "new", id: "S" });
    expect(argv).toEqual(expect.arrayContaining(["--model", "opus", "--append-system-prompt", "You are a coder."]));
    expect(claudeArgv({ ...base, systemPrompt: "  " }, { kind: "new", id: "S" })).not.toContain(
      "--append-system-prompt",
    );
  });

  it("passes the provider's args through exactly, after its own, and leaves out the defaults they replace", () => {
    const args = ["--permission-mode", "default", "--max-budget-usd", "1"];
    const argv = claudeArgv({ ...base, args }, { kind: "new", id: "S" });
    expect(argv).not.toContain("acceptEdits");
    expect(argv).toEqual(expect.arrayContaining(["--allowedTools", "Bash"]));
    expect(argv.slice(-6)).toEqual([...args, "--", "Add a test"]);

    const tools = claudeArgv({ ...base, args: ["--allowed-tools=Bash(git *) Edit"] }, { kind: "new", id: "S" });
    expect(tools).not.toContain("--allowedTools");
    expect(tools).toContain("acceptEdits");

    const skip = claudeArgv({ ...base, args: ["--dangerously-skip-permissions"] }, { kind: "new", id: "S" });
    expect(skip).not.toContain("--permission-mode");
    expect(skip).not.toContain("--allowedTools");
  });

  it("adds the tools a person allowed for the task to --allowedTools, with the defaults or the configured list", () => {
    const argv = claudeArgv({ ...base, allowedTools: ["Write", "Bash"] }, { kind: "resume", id: "S" });
    const at = argv.indexOf("--allowedTools");
    expect(argv.slice(at, at + 3)).toEqual(["--allowedTools", "Bash", "Write"]);
    expect(argv.filter((a) => a === "--allowedTools")).toHaveLength(1);

    const args = ["--allowedTools", "Read"];
    const own = claudeArgv({ ...base, args, allowedTools: ["WebFetch"] }, { kind: "new", id: "S" });
    expect(own).toEqual(expect.arrayContaining(["--allowedTools", "WebFetch"]));
    expect(own).not.toContain("Bash");
    expect(own.slice(-4)).toEqual([...args, "--", "Add a test"]);

    const skip = claudeArgv(
      { ...base, args: ["--dangerously-skip-permissions"], allowedTools: ["Write"] },
      { kind: "new", id: "S" },
    );
    expect(skip).not.toContain("--allowedTools");
  });

  it("switches the phone-home traffic off unless the env says otherwise", () => {
    expect(claudeEnv({ PATH: "/bin" })).toEqual({
      PATH: "/bin",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      DISABLE_AUTOUPDATER: "1",
    });
    expect(claudeEnv({ DISABLE_AUTOUPDATER: "0" }).DISABLE_AUTOUPDATER).toBe("0");
  });
});
