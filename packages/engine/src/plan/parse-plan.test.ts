import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FlotillaError } from "@flotilla/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { parsePlanText, readPlanFile, summarizePlan } from "./parse-plan.js";

const dir = mkdtempSync(join(tmpdir(), "flotilla-plan-"));
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
const errors = (text: string, file = "plan.yaml") => failure(() => parsePlanText(text, file)).message.split("\n");

const VALID = `name: shop
target: main
concurrency: 2
review: { agent: scripted-reviewer, rounds: 3 }
tasks:
  - id: db
    prompt: Add the schema
    writes: ["db/**"]
  - id: api
    title: Add the API
    prompt: Add the API
    role: coder
    dependsOn: [db]
    writes: ["src/api/**", "package.json"]
    priority: 5
    verify: npm test
    review: false
  - id: web
    prompt: Add the page
    agent: scripted
    dependsOn: [api, db]
    review: true
    script:
      - write: { path: web/index.html, content: hi }
`;

describe("parsePlanText", () => {
  it("parses a valid plan with its defaults", () => {
    const plan = parsePlanText(VALID, "plan.yaml");
    expect(plan.name).toBe("shop");
    expect(plan.review).toEqual({ agent: "scripted-reviewer", rounds: 3 });
    expect(plan.tasks.map((t) => t.id)).toEqual(["db", "api", "web"]);
    expect(plan.tasks[0]).toEqual({
      id: "db",
      prompt: "Add the schema",
      writes: ["db/**"],
      dependsOn: [],
      priority: 0,
    });
    expect(plan.tasks[1]).toMatchObject({ role: "coder", priority: 5, verify: "npm test", review: false });
    expect(plan.tasks[2]?.script).toEqual({
      steps: [{ write: { path: "web/index.html", content: "hi" } }],
      followUps: [],
    });
    expect(summarizePlan(plan)).toEqual({ tasks: 3, dependencies: 3, order: ["db", "api", "web"] });
  });

  it("reports every structural error at once, each at its node's line and column", () => {
    const text = [
      "tasks:", //                                     1
      "  - id: db", //                                 2
      "    prompt: Add the schema", //                 3
      "  - id: api", //                                4
      "    prompt: Add the API", //                    5
      "    dependsOn: [db, dbb]", //                   6
      '    writes: ["src/api/**", "../secrets"]', //   7
      "  - id: api", //                                8
      "    prompt: Again", //                          9
      "    agent: scripted", //                        10
      "    role: coder", //                            11
      "  - id: a", //                                  12
      "    prompt: A", //                              13
      "    dependsOn: [b]", //                         14
      "  - id: b", //                                  15
      "    prompt: B", //                              16
      "    dependsOn:", //                             17
      "      - a", //                                  18
      "      - b", //                                  19
      "    writes:", //                                20
      '      - "src/{x"', //                           21
      '      - ""', //                                 22
      "      - /etc/x", //                             23
      "      - src/[ab", //                            24
    ].join("\n");
    expect(errors(text)).toEqual([
      'plan.yaml:6:21: task "api": dependsOn "dbb" is not a task in this plan',
      `plan.yaml:7:28: task "api": writes glob "../secrets" must not contain '..' segments`,
      'plan.yaml:8:9: duplicate task id "api" (first used at line 4)',
      'plan.yaml:11:5: task "api": set either agent or role, not both',
      "plan.yaml:14:17: cycle: a → b → a",
      'plan.yaml:19:9: task "b": depends on itself',
      `plan.yaml:21:9: task "b": writes glob "src/{x" has unbalanced brackets: '{' without its '}'`,
      'plan.yaml:22:9: task "b": writes glob "" must not be empty',
      `plan.yaml:23:9: task "b": writes glob "/etc/x" must be relative to the repository root (no leading '/')`,
      `plan.yaml:24:9: task "b": writes glob "src/[ab" has unbalanced brackets: '[' without its ']'`,
    ]);
  });

  it("names a longer cycle in order and points at the dependsOn entry that starts it", () => {
    const text = [
      "tasks:",
      "  - { id: a, prompt: A, dependsOn: [b] }",
      "  - { id: b, prompt: B, dependsOn: [c] }",
      "  - { id: c, prompt: C, dependsOn: [x, a] }",
      "  - { id: x, prompt: X }",
    ].join("\n");
    expect(errors(text)).toEqual(["plan.yaml:2:37: cycle: a → b → c → a"]);
  });

  it("locates errors in JSON plans too", () => {
    const plan = {
      tasks: [
        { id: "a", prompt: "A", dependsOn: ["a", "q"] },
        { id: "a", prompt: "B", writes: ["x/../y"] },
      ],
    };
    expect(errors(JSON.stringify(plan, null, 2), "plan.json")).toEqual([
      'plan.json:7:9: task "a": depends on itself',
      'plan.json:8:9: task "a": dependsOn "q" is not a task in this plan',
      'plan.json:12:13: duplicate task id "a" (first used at line 4)',
      `plan.json:15:9: task "a": writes glob "x/../y" must not contain '..' segments`,
    ]);
  });

  it("reports schema errors with their key paths before any graph check", () => {
    const text = "tasks:\n  - id: a\n    promt: x\n    dependsOn: [zz]\n  - id: 'bad id'\n    prompt: ''\n";
    expect(errors(text)).toEqual([
      "plan.yaml:2:5: tasks[0].prompt: missing (expected string)",
      'plan.yaml:3:5: tasks[0].promt: unknown key "promt"',
      "plan.yaml:5:9: tasks[1].id: must start with a letter or digit and hold only letters, digits, '.', '_' and '-' (at most 80 characters)",
      "plan.yaml:6:13: tasks[1].prompt: prompt must not be empty",
    ]);
    expect(errors("tasks: []\n")).toEqual(["plan.yaml:1:8: tasks: a plan needs at least one task"]);
    expect(errors("name: a/b\nconcurrency: 0\ntasks:\n  - {id: a, prompt: x, review: {rounds: 11}}\n")).toEqual([
      "plan.yaml:1:7: name: must hold only letters, digits, '.', '_' and '-'",
      "plan.yaml:2:14: concurrency: Too small: expected number to be >=1",
      "plan.yaml:4:41: tasks[0].review.rounds: Too big: expected number to be <=10",
    ]);
  });

  it("limits task ids to 40 characters", () => {
    expect(errors(`tasks:\n  - id: ${"x".repeat(41)}\n    prompt: p\n`)).toEqual([
      "plan.yaml:2:9: tasks[0].id: must be at most 40 characters",
    ]);
  });

  it("reports syntax errors with line and column", () => {
    expect(errors("tasks:\n  - id: a\n    prompt: [x\n")[0]).toMatch(/^plan\.yaml:\d+:\d+: /);
  });

  it("carries every problem in the error's data", () => {
    const err = failure(() => parsePlanText("tasks:\n  - {id: a, prompt: p, dependsOn: [a]}\n", "p.yaml"));
    expect(err.code).toBe("invalid_input");
    expect(err.data).toEqual({
      file: "p.yaml",
      issues: [{ file: "p.yaml", line: 2, column: 36, message: 'task "a": depends on itself' }],
    });
  });
});

describe("readPlanFile", () => {
  it("reads YAML and JSON files", () => {
    writeFileSync(join(dir, "p.yaml"), VALID);
    writeFileSync(join(dir, "p.json"), JSON.stringify({ tasks: [{ id: "a", prompt: "p" }] }));
    expect(readPlanFile(join(dir, "p.yaml")).tasks).toHaveLength(3);
    expect(readPlanFile(join(dir, "p.json")).tasks[0]?.id).toBe("a");
  });

  it("says plainly when the file is missing", () => {
    const missing = join(dir, "nope.yaml");
    expect(failure(() => readPlanFile(missing)).message).toBe(`no such file: ${missing}`);
  });
});
