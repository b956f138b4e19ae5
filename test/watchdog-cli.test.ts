import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findProcessesByMarker } from "@flotilla/engine";
import type { FlotillaEvent, Run, Task } from "@flotilla/protocol";
import { git, isolatedEnv, lastJsonLine, makeRepo, runCli, startCli, tempDir, waitFor } from "./support/fixtures.js";

type TaskWithRuns = Task & { runs: Run[] };
type Summary = { tasks: { id: string; status: string; branch: string; reason?: string; waitingFor?: string }[] };

describe("the watchdog and budgets through the built CLI", () => {
  let root: ReturnType<typeof tempDir>;
  let env: Record<string, string | undefined>;
  let repo: string;
  beforeEach(() => {
    root = tempDir("flotilla-watchdog-cli-");
    env = isolatedEnv(root.path);
    repo = makeRepo(join(root.path, "repo"));
  });
  afterEach(() => root.cleanup());

  const globalConfig = (yaml: string) => {
    mkdirSync(join(root.path, "config", "flotilla"), { recursive: true });
    writeFileSync(join(root.path, "config", "flotilla", "config.yaml"), yaml);
  };
  const status = (id: string) => JSON.parse(runCli(["status", id, "--json"], { env }).stdout) as TaskWithRuns;
  const logs = (id: string) =>
    runCli(["logs", id, "--json"], { env })
      .stdout.trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as FlotillaEvent);
  const rungs = (events: FlotillaEvent[]) =>
    events.flatMap((e) =>
      e.payload.type === "watchdog.nudged" ||
      e.payload.type === "watchdog.restarted" ||
      e.payload.type === "watchdog.escalated"
        ? [{ type: e.payload.type, runId: e.payload.runId }]
        : [],
    );

  it("the ladder's position survives kill -9: after `flotilla resume` the next finding restarts, it does not nudge again", async () => {
    globalConfig("watchdog: { stallMs: 3000 }\nprocess: { stopGraceMs: 1000 }\n");
    const script = join(root.path, "hang.yaml");
    // The nudge's turn says something every second for 15 s before it hangs too: a window wide
    // enough for the probe below to see it running on a loaded machine. Resumed after the kill, it
    // carries on from the last thing it said.
    const ticks = Array.from({ length: 15 }, (_, i) => `{ say: { text: "tick ${i}" } }, { sleep: { ms: 1000 } }`);
    writeFileSync(
      script,
      `steps:\n  - say: { text: thinking }\n  - hang: {}\nfollowUps:\n  - [${ticks.join(", ")}, hang: {}]\n`,
    );
    const cli = startCli(["run", "hang", "--repo", repo, "--script", script, "--id", "hang"], { env });
    // The first run stalled and was nudged; the nudge (run 2, the same session) is running now.
    let seen = "no status yet";
    const marker = await waitFor(
      "the nudged run",
      () => {
        const s = runCli(["status", "hang", "--json"], { env });
        if (s.status !== 0) return undefined;
        const runs = (JSON.parse(s.stdout) as TaskWithRuns).runs;
        seen = runs.map((r) => r.status).join(", ");
        return runs.length === 2 && runs[1]?.status === "running" ? runs[1].marker : undefined;
      },
      30_000,
      () => `runs ${seen}`,
    );
    expect(rungs(logs("hang")).map((r) => r.type)).toEqual(["watchdog.nudged"]);
    cli.child.kill("SIGKILL");
    await cli.exited;
    expect(findProcessesByMarker(marker).length).toBeGreaterThan(0); // the orphaned agent, swept below

    const resumed = runCli(["resume", "--json"], { env, timeoutMs: 60_000 });
    expect(resumed.status, resumed.stderr).toBe(1);
    expect(lastJsonLine(resumed.stdout)).toMatchObject({ tasks: [{ id: "hang", status: "needs_input" }] });
    expect(findProcessesByMarker(marker)).toEqual([]);

    const task = status("hang");
    const runs = task.runs;
    // run 1 stalled · run 2 (the nudge) was cut by kill -9 · run 3 continued that session after
    // the resume and stalled again · run 4 is the restart's new session.
    expect(runs.map((r) => r.status)).toEqual(["failed", "interrupted", "failed", "failed"]);
    expect(runs[2]?.sessionId).toBe(runs[1]?.sessionId);
    expect(runs[3]?.sessionId).not.toBe(runs[2]?.sessionId);
    // The ladder went on from the store: restart after the resume, then escalation — no second nudge.
    expect(rungs(logs("hang"))).toEqual([
      { type: "watchdog.nudged", runId: runs[0]?.id },
      { type: "watchdog.restarted", runId: runs[2]?.id },
      { type: "watchdog.escalated", runId: runs[3]?.id },
    ]);
    expect(task.state).toMatchObject({ status: "needs_input" });
  }, 90_000);

  it("a plan's cost budget stops the plan: running tasks stopped with their work kept, queued ones not started, the limit named", () => {
    const go = join(root.path, "bystander-started");
    const plan = join(root.path, "plan.yaml");
    writeFileSync(
      plan,
      [
        "name: budgeted",
        "concurrency: 2",
        "budget: { maxCostUsd: 0.5 }",
        "tasks:",
        "  - id: spender",
        "    prompt: spend",
        "    writes: [s/**]",
        "    script:",
        "      - write: { path: s/a.txt, content: a }",
        "      - usage: { inputTokens: 1000, outputTokens: 100, costUsd: 0.3 }",
        `      - run: { cmd: "while [ ! -f ${go} ]; do sleep 0.05; done" }`,
        "      - usage: { inputTokens: 1000, outputTokens: 100, costUsd: 0.3 }",
        "      - hang: {}",
        "  - id: bystander",
        "    prompt: wait",
        "    writes: [b/**]",
        "    script:",
        "      - write: { path: b/a.txt, content: b }",
        "      - usage: { inputTokens: 10, outputTokens: 10, costUsd: 0.01 }",
        `      - run: { cmd: "touch ${go}" }`,
        "      - hang: {}",
        "  - id: later",
        "    prompt: later",
        "    writes: [l/**]",
        "    script:",
        "      - write: { path: l/a.txt, content: l }",
        "",
      ].join("\n"),
    );
    const result = runCli(["run", plan, "--repo", repo, "--json"], { env, timeoutMs: 60_000 });
    expect(result.status, result.stderr).toBe(1);
    const summary = lastJsonLine(result.stdout) as Summary;
    const by = (key: string) => {
      const t = summary.tasks.find((x) => x.id.startsWith(`${key}.`));
      if (!t) throw new Error(`no task ${key}`);
      return t;
    };
    // The task whose usage crossed the limit, and the one running beside it, are stopped.
    expect(by("spender")).toMatchObject({ status: "failed" });
    expect(by("spender").reason).toMatch(/^budget: plan maxCostUsd 0\.50 reached \(0\.6[01]\)$/);
    expect(by("bystander")).toMatchObject({ status: "failed" });
    expect(by("bystander").reason).toMatch(/^budget: plan maxCostUsd 0\.50 reached \(0\.6\d\)$/);
    // The queued one never started, and says why.
    expect(by("later")).toMatchObject({ status: "queued" });
    expect(by("later").waitingFor).toMatch(/^not started: budget: plan maxCostUsd 0\.50 reached \(0\.6\d\)$/);
    expect(result.stderr).toMatch(/later: queued \(not started: budget: plan maxCostUsd 0\.50 reached/);
    expect(result.stderr).toMatch(/budget: plan maxCostUsd 0\.50 reached \(0\.6\d\) — the run was stopped/);
    const later = status(by("later").id);
    expect(later.runs).toEqual([]);
    expect(later.worktreePath).toBeUndefined();

    // The stopped tasks keep their work: committed on their branches, worktrees kept.
    for (const [key, file] of [
      ["spender", "s/a.txt"],
      ["bystander", "b/a.txt"],
    ] as const) {
      const t = status(by(key).id);
      expect(git(repo, "diff", "--name-only", `main...${t.branch}`)).toContain(file);
      expect(t.worktreePath !== undefined && existsSync(t.worktreePath)).toBe(true);
      const exceeded = logs(t.id).flatMap((e) => (e.payload.type === "budget.exceeded" ? [e.payload] : []));
      expect(exceeded).toEqual([expect.objectContaining({ scope: "plan", limit: "maxCostUsd", max: 0.5 })]);
    }
    expect(git(repo, "log", "--oneline", "main")).not.toMatch(/later|spend/);

    // `resume` does not start it either while the budget stays spent.
    const resumed = runCli(["resume", "--json"], { env, timeoutMs: 60_000 });
    expect(status(by("later").id).runs).toEqual([]);
    expect(resumed.stderr).toMatch(/not started: budget: plan maxCostUsd 0\.50/);
  }, 90_000);

  it("run <prompt> --budget-cost: the task's own budget stops it, over the config's", () => {
    globalConfig("budgets: { task: { maxCostUsd: 5 } }\n");
    const script = join(root.path, "spend.yaml");
    writeFileSync(
      script,
      "- write: { path: a.txt, content: a }\n- usage: { inputTokens: 10, outputTokens: 10, costUsd: 0.3 }\n- hang: {}\n",
    );
    const run = runCli(["run", "spend", "--repo", repo, "--script", script, "--id", "capped", "--budget-cost", "0.2"], {
      env,
      timeoutMs: 30_000,
    });
    expect(run.status, run.stderr).toBe(1);
    expect(status("capped")).toMatchObject({
      budget: { maxCostUsd: 0.2 },
      state: { status: "failed", reason: "budget: maxCostUsd 0.20 reached (0.30)" },
    });
    const bad = runCli(["run", "x", "--repo", repo, "--script", script, "--budget-turns", "1.5"], { env });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--budget-turns must be a whole number above 0, not "1.5"');
  });

  it("validate reports a task's bad watchdog or budget override, and a bad plan budget, at file:line:col", () => {
    const plan = join(root.path, "bad.yaml");
    writeFileSync(
      plan,
      [
        "budget: { maxCostUsd: -1 }",
        "tasks:",
        "  - id: a",
        "    prompt: do a",
        "    watchdog: { stallMs: fast, noProgressTurns: 0 }",
        "    budget: { maxTurns: 3, maxDollars: 2 }",
        "",
      ].join("\n"),
    );
    const result = runCli(["validate", plan], { env });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/bad\.yaml:1:\d+: budget\.maxCostUsd: /);
    expect(result.stderr).toMatch(/bad\.yaml:5:\d+: tasks\[0\]\.watchdog\.stallMs: /);
    expect(result.stderr).toMatch(/bad\.yaml:5:\d+: tasks\[0\]\.watchdog\.noProgressTurns: /);
    expect(result.stderr).toMatch(/bad\.yaml:6:\d+: tasks\[0\]\.budget.*maxDollars/);

    const good = join(root.path, "good.yaml");
    writeFileSync(
      good,
      "budget: { maxTokens: 1000 }\ntasks:\n  - id: a\n    prompt: do a\n    watchdog: { noProgressTurns: 2 }\n    budget: { maxTurns: 3 }\n",
    );
    const ok = runCli(["validate", good], { env });
    expect(ok.status, ok.stderr).toBe(0);
  });
});
