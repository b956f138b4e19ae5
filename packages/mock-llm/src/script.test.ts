import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileScript, loadScript, MockScriptError, parseScript } from "./index.js";

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MockScriptError);
    return (err as MockScriptError).issues;
  }
  throw new Error("expected the script to be refused");
}

describe("script", () => {
  it("parses YAML rules into steps, with a bare string as a text step", () => {
    const script = parseScript(`
models: [claude-opus-4-8]
rules:
  - name: hello
    match: { prompt: "/HELLO/i", system: "Codex", model: gpt-5.5 }
    turns:
      - sleep: { ms: 10 }
      - error: { status: 429, times: 2, retryAfterMs: 0 }
      - write: { path: a.txt, content: "a\\n" }
      - bash: { command: ls }
      - edit: { path: a.txt, find: a, replace: b }
      - call: { name: Read, input: { file_path: /x } }
      - Done.
  - turns:
      - repeat: { call: { name: apply_patch, input: "*** Begin Patch" } }
`);
    expect(script.models).toEqual(["claude-opus-4-8", "gpt-5.5", "mock-model"]);
    const [first, second] = script.rules;
    expect(first!.match.prompt!.test("say hello")).toBe(true);
    expect(first!.turns.map((s) => s.kind)).toEqual(["sleep", "error", "write", "bash", "edit", "call", "text"]);
    expect(first!.turns[1]).toEqual({
      kind: "error",
      status: 429,
      times: 2,
      retryAfterMs: 0,
      message: "mock-llm: scripted error 429",
    });
    expect(second!.match).toEqual({});
    expect(second!.turns[0]).toEqual({
      kind: "repeat",
      step: { kind: "call", name: "apply_patch", input: "*** Begin Patch" },
    });
  });

  it("takes a top-level list as the rules, and JSON as well as YAML", () => {
    const script = parseScript(JSON.stringify([{ turns: [{ text: "hi" }] }]), "s.json");
    expect(script.rules[0]!.turns).toEqual([{ kind: "text", text: "hi" }]);
  });

  it("names the key path, line and column of each error", () => {
    const text = ["rules:", "  - turns:", "      - bash: { command: ls }", "      - write: { content: x }", ""];
    expect(issues(() => parseScript(text.join("\n"), "s.yaml"))).toEqual([
      "s.yaml:4:16: rules[0].turns[1].write.path: Invalid input: expected string, received undefined",
    ]);
    const late = ["- turns:", "    - text: ok", "    - bash: { command: ls }", ""].join("\n");
    expect(issues(() => parseScript(late, "s.yaml"))).toEqual([
      "s.yaml:2:7: rules[0].turns[0]: a text step ends the turn, so it must be the last step",
    ]);
  });

  it("refuses unknown step kinds, steps with two kinds, bad regexes and bad statuses", () => {
    const found = issues(() =>
      compileScript([
        { match: { prompt: "(" }, turns: [{ wrte: {} }] },
        { turns: [{ text: "a", bash: { command: "ls" } }] },
        { turns: [{ error: { status: 200 } }, { text: "x" }] },
        { match: { promt: "x" }, turns: [] },
        { turns: [{}] },
      ]),
    );
    expect(found).toEqual([
      expect.stringMatching(/^script: rules\[0\]\.match\.prompt: not a valid regular expression/),
      'script: rules[0].turns[0]: Unrecognized key: "wrte"',
      "script: rules[1].turns[0]: a step needs exactly one of text, write, bash, edit, call, repeat, error, sleep; it has text, bash",
      "script: rules[2].turns[0].error.status: Too small: expected number to be >=400",
      'script: rules[3].match: Unrecognized key: "promt"',
      "script: rules[3].turns: a rule needs at least one step",
      "script: rules[4].turns[0]: a step needs exactly one of text, write, bash, edit, call, repeat, error, sleep; it has none",
    ]);
  });

  it("refuses steps after a repeat", () => {
    const found = issues(() => compileScript({ rules: [{ turns: [{ repeat: { bash: { command: "ls" } } }, "x"] }] }));
    expect(found).toEqual([
      "script: rules[0].turns[0]: a repeat step serves every later request, so it must be the last step",
    ]);
  });

  it("reports YAML syntax errors with their position", () => {
    expect(issues(() => parseScript("rules: [\n  - a", "bad.yaml"))[0]).toMatch(/^bad\.yaml:\d+:\d+: /);
  });

  it("loads a file", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "mock-llm-script-")), "s.yaml");
    writeFileSync(file, "- turns: [hi]\n");
    expect((await loadScript(file)).rules).toHaveLength(1);
    writeFileSync(file, "- turns: [{ sleep: { ms: -1 } }]\n");
    await expect(loadScript(file)).rejects.toThrow(`${file}:1:26: rules[0].turns[0].sleep.ms: Too small`);
  });
});
