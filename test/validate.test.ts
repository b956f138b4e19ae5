import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isolatedEnv, runCli, tempDir } from "./support/fixtures.js";

const VALID = `name: shop
tasks:
  - id: db
    prompt: Add the schema
    writes: ["db/**"]
  - id: api
    prompt: Add the API
    dependsOn: [db]
    writes: ["src/api/**"]
  - id: web
    prompt: Add the page
    dependsOn: [api, db]
`;

const BROKEN = [
  "tasks:", //                                 1
  "  - id: a", //                              2
  "    prompt: A", //                          3
  "    dependsOn: [b]", //                     4
  "  - id: b", //                              5
  "    prompt: B", //                          6
  "    dependsOn: [a, dbb]", //                7
  "  - id: a", //                              8
  "    prompt: again", //                      9
  '    writes: ["src/**", "../etc/x"]', //     10
].join("\n");

describe("flotilla validate", () => {
  let root: ReturnType<typeof tempDir>;
  let env: Record<string, string | undefined>;
  beforeEach(() => {
    root = tempDir("flotilla-validate-");
    env = isolatedEnv(root.path);
  });
  afterEach(() => root.cleanup());

  it("accepts a valid plan and says how big it is, without touching the store", () => {
    writeFileSync(join(root.path, "plan.yaml"), VALID);
    const result = runCli(["validate", "plan.yaml"], { env, cwd: root.path });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("✓ plan.yaml: 3 tasks, 3 dependencies\n");
    expect(existsSync(join(root.path, "home"))).toBe(false);

    const json = runCli(["validate", "plan.yaml", "--json"], { env, cwd: root.path });
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      file: "plan.yaml",
      valid: true,
      tasks: 3,
      dependencies: 3,
      order: ["db", "api", "web"],
    });
  });

  it("reports every error with its line and column, and exits 2", () => {
    writeFileSync(join(root.path, "plan.yaml"), BROKEN);
    const result = runCli(["validate", "plan.yaml"], { env, cwd: root.path });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toEqual([
      "flotilla: plan.yaml is not a valid plan (4 problems):",
      "plan.yaml:4:17: cycle: a → b → a",
      'plan.yaml:7:20: task "b": dependsOn "dbb" is not a task in this plan',
      'plan.yaml:8:9: duplicate task id "a" (first used at line 2)',
      `plan.yaml:10:24: task "a": writes glob "../etc/x" must not contain '..' segments`,
    ]);
    expect(existsSync(join(root.path, "home"))).toBe(false);
  });

  it("lists the errors as JSON with --json", () => {
    writeFileSync(
      join(root.path, "plan.json"),
      JSON.stringify({ tasks: [{ id: "a", prompt: "p", dependsOn: ["a"] }] }),
    );
    const result = runCli(["validate", "plan.json", "--json"], { env, cwd: root.path });
    expect(result.status).toBe(2);
    expect(JSON.parse(result.stdout)).toEqual({
      file: "plan.json",
      valid: false,
      errors: [{ file: "plan.json", line: 1, column: 47, message: 'task "a": depends on itself' }],
    });
    expect(result.stderr).toBe(
      'flotilla: plan.json is not a valid plan (1 problem):\nplan.json:1:47: task "a": depends on itself\n',
    );
  });

  it("reports schema errors and a missing file as bad input", () => {
    writeFileSync(join(root.path, "bad.yaml"), "tasks:\n  - id: a\n");
    const bad = runCli(["validate", "bad.yaml"], { env, cwd: root.path });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(
      "flotilla: bad.yaml is not a valid plan (1 problem):\nbad.yaml:2:5: tasks[0].prompt: missing (expected string)\n",
    );
    const missing = runCli(["validate", "nope.yaml"], { env, cwd: root.path });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe("flotilla: no such file: nope.yaml\n");
  });
});
