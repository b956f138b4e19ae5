import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigSchema, FlotillaError, ScriptTurnSchema } from "@flotilla/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { formatIssues, parseStructuredText, readStructuredFile, type StructuredIssue } from "./structured-file.js";

const dir = mkdtempSync(join(tmpdir(), "flotilla-structured-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function failure(fn: () => unknown): FlotillaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FlotillaError);
    return e as FlotillaError;
  }
  throw new Error("expected a failure");
}

const Small = z.object({ name: z.string(), size: z.number().int(), tags: z.array(z.string()).default([]) }).strict();

describe("parseStructuredText", () => {
  it("parses YAML and JSON into the schema's output", () => {
    expect(parseStructuredText("name: a\nsize: 2\n", "x.yaml", Small)).toEqual({ name: "a", size: 2, tags: [] });
    expect(parseStructuredText('{"name": "a", "size": 2, "tags": ["t"]}', "x.json", Small)).toEqual({
      name: "a",
      size: 2,
      tags: ["t"],
    });
    // Any other name is read as YAML, which JSON is a subset of.
    expect(parseStructuredText('{"name": "a", "size": 2}', "ticket.txt", Small).size).toBe(2);
  });

  it("lists every schema problem with file, line:col and key path, in document order", () => {
    const text = "defaults:\n  concurrency: lots\n  verify: 3\nbogus: 1\nagents:\n  a: {}\n";
    const err = failure(() =>
      parseStructuredText(text, ".flotilla/config.yaml", ConfigSchema, { code: "config_invalid" }),
    );
    expect(err.code).toBe("config_invalid");
    expect(err.message.split("\n")).toEqual([
      ".flotilla/config.yaml:2:16: defaults.concurrency: expected number, received string",
      ".flotilla/config.yaml:3:11: defaults.verify: expected string or array, received number",
      '.flotilla/config.yaml:4:1: bogus: unknown key "bogus"',
      ".flotilla/config.yaml:6:6: agents.a.provider: missing (expected string)",
    ]);
    const issues = err.data.issues as StructuredIssue[];
    expect(issues[0]).toEqual({
      file: ".flotilla/config.yaml",
      line: 2,
      column: 16,
      path: "defaults.concurrency",
      message: "expected number, received string",
    });
    expect(err.data.file).toBe(".flotilla/config.yaml");
  });

  it("locates problems in JSON too", () => {
    const err = failure(() => parseStructuredText('{\n  "name": "a",\n  "size": "big"\n}', "t.json", Small));
    expect(err.code).toBe("invalid_input");
    expect(err.message).toBe("t.json:3:11: size: expected number, received string");
  });

  it("reports YAML syntax errors with line and column", () => {
    const err = failure(() => parseStructuredText("name: a\nsize: [1,\n  2\ntags: x: y\n", "bad.yaml", Small));
    expect(err.message).toMatch(/^bad\.yaml:\d+:\d+: /);
    expect(err.message.split("\n").length).toBeGreaterThanOrEqual(1);
  });

  it("rejects duplicate keys", () => {
    const err = failure(() => parseStructuredText("name: a\nname: b\nsize: 1\n", "dup.yaml", Small));
    expect(err.message).toMatch(/^dup\.yaml:2:1: .*unique/);
  });

  it("reports JSON syntax errors with a position", () => {
    const err = failure(() => parseStructuredText('{\n  "name": "a",\n}', "t.json", Small));
    expect(err.message).toMatch(/^t\.json:3:1: /);
    const err2 = failure(() => parseStructuredText('{\n  "name": "a", "size": \n}', "t.json", Small));
    expect(err2.message).toMatch(/^t\.json:3:1: Unexpected token '}'/);
    expect(err2.message).not.toContain("\n");
  });

  it("treats an empty document as the `empty` value", () => {
    expect(parseStructuredText("  \n", "e.yaml", z.object({ a: z.number().optional() }), { empty: {} })).toEqual({});
    const err = failure(() => parseStructuredText("", "e.yaml", Small));
    expect(err.message).toBe("e.yaml:1:1: (root): empty (expected object)");
  });

  it("points at the union branch a step was meant for", () => {
    const text = [
      "- write: {path: '', content: x}",
      "- wrte: {}",
      "- repeat:",
      "    steps:",
      "      - write: {path: a}",
      "- hang: 3",
    ].join("\n");
    const lines = failure(() => parseStructuredText(text, "s.yaml", ScriptTurnSchema)).message.split("\n");
    expect(lines[0]).toBe("s.yaml:1:17: [0].write.path: path must not be empty");
    expect(lines[1]).toMatch(/^s\.yaml:2:3: \[1\]: expected one of the keys: write, .*hang.*; got "wrte"$/);
    expect(lines[2]).toBe("s.yaml:5:16: [2].repeat.steps[0].write.content: missing (expected string)");
    expect(lines[3]).toBe("s.yaml:6:9: [3].hang: expected object or null, received number");
  });

  it("quotes keys that are not identifiers", () => {
    const Rec = z.record(z.string(), z.number());
    expect(failure(() => parseStructuredText('"a.b": x\n', "r.yaml", Rec)).message).toBe(
      'r.yaml:1:8: ["a.b"]: expected number, received string',
    );
  });
});

describe("readStructuredFile", () => {
  it("reads and validates a file", () => {
    const file = join(dir, "ok.yml");
    writeFileSync(file, "name: n\nsize: 1\n");
    expect(readStructuredFile(file, Small)).toEqual({ name: "n", size: 1, tags: [] });
  });

  it("says plainly when the file is missing or a directory", () => {
    const missing = join(dir, "nope.yaml");
    const err = failure(() => readStructuredFile(missing, Small, { code: "config_invalid" }));
    expect(err.message).toBe(`no such file: ${missing}`);
    expect(err.code).toBe("config_invalid");
    const sub = join(dir, "sub.yaml");
    mkdirSync(sub);
    expect(failure(() => readStructuredFile(sub, Small)).message).toContain("is a directory");
  });
});

describe("formatIssues", () => {
  it("formats issues with and without a position or path", () => {
    expect(
      formatIssues([
        { file: "f.yaml", line: 1, column: 2, path: "a.b", message: "bad" },
        { file: "f.yaml", line: 3, column: 4, message: "syntax" },
        { file: "FLOTILLA_CONCURRENCY=abc", message: "expected a whole number" },
      ]),
    ).toBe("f.yaml:1:2: a.b: bad\nf.yaml:3:4: syntax\nFLOTILLA_CONCURRENCY=abc: expected a whole number");
  });
});
