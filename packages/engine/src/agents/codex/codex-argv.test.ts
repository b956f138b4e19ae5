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

  it("quotes TOML strings", () => {
    expect(tomlString('a "b" \\ c\n\u007f')).toBe('"a \\"b\\" \\\\ c\\n\\u007f"');
  });
});
