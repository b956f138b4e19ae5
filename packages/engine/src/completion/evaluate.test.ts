import { describe, expect, it } from "vitest";
import { evaluateCompletion } from "./evaluate.js";

const rules = { expectChanges: true, stray: "warn" as const };

describe("evaluateCompletion", () => {
  it("passes when a changed file matches the writes and nothing else changed", () => {
    expect(evaluateCompletion(["src/**"], ["src/a.ts", "src/b/c.ts"], rules)).toEqual({
      problems: [],
      warnings: [],
      stray: [],
    });
  });

  it("fails when nothing matching the writes changed, naming what did change", () => {
    const f = evaluateCompletion(["src/feature/**"], ["README.md"], { ...rules, stray: "ignore" });
    expect(f.problems).toEqual([
      expect.stringMatching(/none of the files .*\(src\/feature\/\*\*.*you changed: README\.md/),
    ]);
  });

  it("stray files: a warning, a problem, or nothing, as configured", () => {
    const changed = ["src/a.ts", "scratch.log", ".env"];
    expect(evaluateCompletion(["src/**"], changed, rules)).toMatchObject({
      problems: [],
      warnings: [expect.stringContaining("scratch.log, .env")],
      stray: ["scratch.log", ".env"],
    });
    expect(evaluateCompletion(["src/**"], changed, { ...rules, stray: "fail" }).problems).toHaveLength(1);
    expect(evaluateCompletion(["src/**"], changed, { ...rules, stray: "ignore" })).toMatchObject({
      problems: [],
      warnings: [],
    });
  });

  it("dotfiles match globs; a task without writes declares no expectation", () => {
    expect(evaluateCompletion(["config/**"], ["config/.hidden"], rules).stray).toEqual([]);
    expect(evaluateCompletion([], ["anything"], { expectChanges: true, stray: "fail" }).problems).toEqual([]);
  });

  it("expectChanges off: only stray files count", () => {
    expect(evaluateCompletion(["a.txt"], [], { expectChanges: false, stray: "fail" }).problems).toEqual([]);
  });

  it("long lists are cut", () => {
    const many = Array.from({ length: 30 }, (_, i) => `f${i}.txt`);
    expect(evaluateCompletion(["src/**"], ["src/x", ...many], rules).warnings[0]).toContain("and 10 more");
  });
});
