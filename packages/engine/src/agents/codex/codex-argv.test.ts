import { describe, expect, it } from "vitest";
import { codexArgv, setsConfig, tomlString } from "./codex-argv.js";

const base = { args: [] as string[], prompt: "Add a test" };

describe("codex argv", () => {
  it("starts with the default sandbox, JSON output and the prompt after --", () => {
    expect(codexArgv(base)).toEqual([
      "exec",
      "--sandbox",
      "workspace-write",
      "--json",
      "--skip-git-repo-check",
      "--",
      "Add a test",
    ]);
  });

  it("resumes a thread with every option on exec, before the resume subcommand", () => {
    const argv = codexArgv({ ...base, args: ["-c", "model_reasoning_effort=low"], prompt: "-more" }, "T1");
    expect(argv).toEqual([
      "exec",
      "--sandbox",
      "workspace-write",
      "-c",
      "model_reasoning_effort=low",
      "--json",
      "--skip-git-repo-check",
      "resume",
      "--",
      "T1",
      "-more",
    ]);
  });

  it("passes the model and the system prompt (as developer_instructions)", () => {
    const argv = codexArgv({ ...base, model: "gpt-5.5", systemPrompt: 'Say "hi"\nthen stop.' });
    expect(argv).toEqual(
      expect.arrayContaining(["-m", "gpt-5.5", "-c", 'developer_instructions="Say \\"hi\\"\\nthen stop."']),
    );
  });

  it("leaves out what the provider's args choose themselves", () => {
    for (const args of [
      ["-s", "read-only"],
      ["--sandbox=danger-full-access"],
      ["--dangerously-bypass-approvals-and-sandbox"],
      ["-c", 'sandbox_mode="read-only"'],
      ["--config=sandbox_mode=read-only"],
    ]) {
      const argv = codexArgv({ ...base, args });
      expect(argv).not.toContain("workspace-write");
      expect(argv.slice(1, 1 + args.length)).toEqual(args);
    }
    const own = codexArgv({
      ...base,
      model: "a",
      systemPrompt: "p",
      args: ["-m", "b", "--json", "-c", "developer_instructions='x'"],
    });
    expect(own.filter((a) => a === "-m" || a === "--json")).toEqual(["-m", "--json"]);
    expect(own.filter((a) => a.startsWith("developer_instructions"))).toEqual(["developer_instructions='x'"]);
  });

  it("reads config overrides in every spelling", () => {
    expect(setsConfig(["-c", "sandbox_mode=x"], "sandbox_mode")).toBe(true);
    expect(setsConfig(["-csandbox_mode=x"], "sandbox_mode")).toBe(true);
    expect(setsConfig(["--config", "sandbox_mode=x"], "sandbox_mode")).toBe(true);
    expect(setsConfig(["-c", "sandbox_mode_x=1"], "sandbox_mode")).toBe(false);
    expect(setsConfig(["sandbox_mode=x"], "sandbox_mode")).toBe(false);
  });

  it("configures Flotilla's MCP server for the run: its URL, its tools approved, a timeout above the longest ask", () => {
    const url = "http://127.0.0.1:4000/mcp/run_1/abc123";
    const argv = codexArgv({ ...base, mcpUrl: url });
    expect(argv.slice(0, 9)).toEqual([
      "exec",
      "--sandbox",
      "workspace-write",
      "-c",
      `mcp_servers.flotilla.url="${url}"`,
      "-c",
      'mcp_servers.flotilla.default_tools_approval_mode="approve"',
      "-c",
      "mcp_servers.flotilla.tool_timeout_sec=660",
    ]);
    expect(argv.slice(-2)).toEqual(["--", "Add a test"]);
    // A follow-up gets it too (on exec, before `resume`); args that configure "flotilla" themselves win.
    expect(codexArgv({ ...base, mcpUrl: url }, "T1")).toContain(`mcp_servers.flotilla.url="${url}"`);
    const own = codexArgv({ ...base, mcpUrl: url, args: ["-c", 'mcp_servers.flotilla.url="http://elsewhere/"'] });
    expect(own.filter((a) => a.startsWith("mcp_servers.flotilla"))).toEqual([
      'mcp_servers.flotilla.url="http://elsewhere/"',
    ]);
    expect(codexArgv(base).some((a) => a.includes("mcp_servers"))).toBe(false);
  });

  it("quotes TOML strings", () => {
    expect(tomlString('a "b" \\ c\n\u007f')).toBe('"a \\"b\\" \\\\ c\\n\\u007f"');
  });
});
