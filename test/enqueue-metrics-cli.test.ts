import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isolatedEnv, lastJsonLine, makeRepo, runCli, tempDir } from "./support/fixtures.js";

const flotilla = runCli;

describe("flotilla enqueue and flotilla metrics (built CLI)", () => {
  let root: ReturnType<typeof tempDir>;
  let env: Record<string, string | undefined>;
  let repo: string;
  beforeEach(() => {
    root = tempDir("flotilla-enqueue-");
    env = isolatedEnv(root.path);
    repo = makeRepo(join(root.path, "repo"));
    expect(runCli(["project", "add", repo], { env }).status).toBe(0);
  });
  afterEach(() => root.cleanup());

  it("queues a ticket's task without running it and prints its id", () => {
    const ticket = join(root.path, "avatar.yaml");
    writeFileSync(
      ticket,
      [
        "id: avatar",
        "title: Avatars",
        "prompt: Add avatars",
        "priority: 5",
        "writes: [src/avatar/**]",
        "review: false",
        "script:",
        "  - write: { path: src/avatar/a.js, content: 'x' }",
      ].join("\n"),
    );
    const queued = flotilla(["enqueue", ticket, "--project", repo], { env });
    expect(queued.status, queued.stderr).toBe(0);
    expect(queued.stdout).toBe("avatar\n");
    expect(queued.stderr).toMatch(/queued avatar in repo \(priority 5\): Avatars/);

    const status = runCli(["status", "avatar", "--json"], { env });
    expect(status.status, status.stderr).toBe(0);
    expect(lastJsonLine(status.stdout)).toMatchObject({
      id: "avatar",
      title: "Avatars",
      priority: 5,
      writes: ["src/avatar/**"],
      agent: "scripted",
      state: { status: "queued" },
      attempts: 0,
    });

    const again = flotilla(["enqueue", ticket, "--project", repo, "--json"], { env });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already exists/);

    const other = join(root.path, "other.json");
    writeFileSync(
      other,
      JSON.stringify({ id: "other", prompt: "p", role: "coder", script: [{ say: { text: "hi" } }] }),
    );
    const json = flotilla(["enqueue", other, "--json"], { env, cwd: repo });
    expect(json.status, json.stderr).toBe(0);
    expect(lastJsonLine(json.stdout)).toMatchObject({ id: "other", status: "queued", title: "other", ticket: other });
  });

  it("refuses an invalid ticket with file:line:col and stores nothing", () => {
    const bad = join(root.path, "bad.yaml");
    writeFileSync(bad, "id: bad\nprompt: p\npriority: soon\n");
    const result = flotilla(["enqueue", bad, "--project", repo], { env });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${bad}:3:11: priority:`);
    expect(flotilla(["enqueue", join(root.path, "missing.yaml")], { env }).stderr).toMatch(/no such file/);
    expect(lastJsonLine(runCli(["status", "--json"], { env }).stdout)).toEqual([]);
  });

  it("reports metrics of a real run as a table, CSV and JSON", () => {
    const script = join(root.path, "work.yaml");
    writeFileSync(
      script,
      "- usage: { inputTokens: 1500, outputTokens: 250, costUsd: 0.25 }\n- replace: { path: src/value.js, find: '=> 1', with: '=> 1 + 0' }\n",
    );
    const run = runCli(
      ["run", "tweak the value", "--id", "tweak", "--agent", "scripted", "--script", script, "--repo", repo],
      {
        env,
      },
    );
    expect(run.status, run.stderr).toBe(0);

    const json = flotilla(["metrics", "--json", "--project", repo], { env });
    expect(json.status, json.stderr).toBe(0);
    const report = lastJsonLine(json.stdout) as { tasks: Record<string, unknown>[]; plans: unknown[] };
    expect(report.plans).toEqual([]);
    expect(report.tasks).toMatchObject([
      { taskId: "tweak", status: "merged", attempts: 1, inputTokens: 1500, outputTokens: 250, costUsd: 0.25 },
    ]);
    expect(report.tasks[0]?.mergedAt).toEqual(expect.any(String));

    const csv = flotilla(["metrics", "--csv"], { env });
    expect(csv.status, csv.stderr).toBe(0);
    const lines = csv.stdout.trimEnd().split("\r\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^tweak,proj_\w+,,tweak the value,scripted,merged,1,/);

    const table = flotilla(["metrics"], { env });
    expect(table.status, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^TASK +STATUS +AGENT +ATT/);
    expect(table.stdout).toMatch(/\ntweak +merged +scripted +1 .*1500\/250 +\$0\.25\n$/);

    expect(flotilla(["metrics", "--csv", "--json"], { env }).status).toBe(2);
    expect(flotilla(["metrics", "--plan", "plan_nope"], { env }).status).toBe(3);
  });
});
