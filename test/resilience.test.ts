import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine, findProcessesByMarker, type Engine } from "@flotilla/engine";
import type { Project, Script } from "@flotilla/protocol";
import { isolatedEnv, makeRepo, runCli, startCli, tempDir, waitFor } from "./support/fixtures.js";

const never = new AbortController().signal;

const BUMP = [
  { replace: { path: "src/value.js", find: "=> 1", with: "=> 2" } },
  { replace: { path: "test/value.test.js", find: "value(), 1", with: "value(), 2" } },
];
const TRANSIENT = { fail: { message: "API Error: 429 rate limit exceeded, retry later" } };

describe("resilience: retries with backoff, circuit breakers per provider", () => {
  let root: ReturnType<typeof tempDir>;
  let repo: string;
  let engine: Engine;
  let project: Project;

  const open = (resilience: Record<string, number>) => {
    engine = createEngine({
      env: isolatedEnv(root.path),
      overrides: { defaults: { verify: "npm test --silent" }, resilience },
    });
  };
  const events = (taskId: string) => engine.store.read.events.since(0, { taskId }).map((e) => e.payload);
  const waits = (taskId: string) => events(taskId).flatMap((p) => (p.type === "task.waiting" ? [p.reason] : []));
  const coderRuns = (taskId: string) => engine.store.read.runs.listForTask(taskId).filter((r) => r.role === "coder");
  const run = async (id: string, script: Script) => {
    const task = await engine.createTask(project, { id, prompt: id, agent: "scripted", script });
    return engine.runTask(task.id, { shutdown: never });
  };

  beforeEach(() => {
    root = tempDir("flotilla-resilience-");
    repo = makeRepo(join(root.path, "repo"));
  });
  afterEach(() => {
    engine.close();
    root.cleanup();
  });

  it("retries a transient failure twice, in the same session, then merges; the retries are in the event log", async () => {
    open({ retries: 3, backoffMs: 50, maxBackoffMs: 200 });
    project = await engine.projects.add({ path: repo });
    const final = await run("flaky", { steps: [TRANSIENT], followUps: [[TRANSIENT], BUMP] });
    expect(final.state.status).toBe("merged");
    const runs = coderRuns("flaky");
    expect(runs.map((r) => r.status)).toEqual(["failed", "failed", "succeeded"]);
    // Follow-ups in the first run's session, not fresh sessions.
    expect(new Set(runs.map((r) => r.sessionId)).size).toBe(1);
    const retries = waits("flaky").filter((w) => w.startsWith("retrying after a transient failure"));
    expect(retries).toHaveLength(2);
    expect(retries[0]).toMatch(/429 rate limit.*attempt 2 of 4 in \d+\.\d s/);
  });

  it("does not retry a permanent failure", async () => {
    open({ retries: 3, backoffMs: 50 });
    project = await engine.projects.add({ path: repo });
    const final = await run("broken", {
      steps: [{ fail: { message: "the tests I wrote do not compile" } }],
      followUps: [BUMP],
    });
    expect(final.state).toMatchObject({ status: "failed" });
    expect(coderRuns("broken")).toHaveLength(1);
    expect(waits("broken").some((w) => w.startsWith("retrying"))).toBe(false);
  });

  it("opens a provider's circuit after N transient failures; new runs wait; a half-open probe closes it", async () => {
    open({ retries: 0, breakerThreshold: 2, breakerCooldownMs: 1500 });
    project = await engine.projects.add({ path: repo });
    expect((await run("down-1", { steps: [TRANSIENT], followUps: [] })).state.status).toBe("failed");
    expect((await run("down-2", { steps: [TRANSIENT], followUps: [] })).state.status).toBe("failed");
    // The circuit is open: this run waits for the cooldown, then is let through as the probe.
    const started = Date.now();
    const probe = await run("probe", { steps: BUMP, followUps: [] });
    expect(probe.state.status).toBe("merged");
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(
      waits("probe").some((w) => /^provider scripted is failing: circuit open until \d\d:\d\d:\d\d$/.test(w)),
    ).toBe(true);
    // Closed again: one more transient failure does not open it (the count restarted).
    expect((await run("down-3", { steps: [TRANSIENT], followUps: [] })).state.status).toBe("failed");
    const fast = Date.now();
    const after = await run("after", {
      steps: [{ write: { path: "after.txt", content: "x" } }],
      followUps: [],
    });
    expect(after.state.status).toBe("merged");
    expect(waits("after").some((w) => w.includes("circuit open"))).toBe(false);
    expect(Date.now() - fast).toBeLessThan(15_000);
  });
});

describe("graceful shutdown of `flotilla run plan`", () => {
  let root: ReturnType<typeof tempDir>;
  beforeEach(() => (root = tempDir("flotilla-shutdown-")));
  afterEach(() => root.cleanup());

  it("SIGTERM: stops every agent, leaves tasks interrupted, zero processes, and prints what was left where", async () => {
    const env = isolatedEnv(root.path);
    const repo = makeRepo(join(root.path, "repo"));
    const plan = join(root.path, "plan.yaml");
    const slow = (file: string) =>
      `    script:\n      steps:\n        - write: { path: ${file}, content: x }\n        - run: { cmd: 'sleep 120', detached: true }\n`;
    writeFileSync(
      plan,
      "tasks:\n" +
        `  - id: one\n    prompt: one\n    agent: scripted\n    writes: [one.txt]\n${slow("one.txt")}` +
        `  - id: two\n    prompt: two\n    agent: scripted\n    writes: [two.txt]\n${slow("two.txt")}`,
    );
    const cli = startCli(["run", plan, "--repo", repo, "--concurrency", "2"], { env });
    let seen = "nothing yet";
    const markers = await waitFor(
      "both runs running",
      () => {
        const s = runCli(["status", "--json"], { env });
        if (s.status !== 0) return void (seen = `status exited ${s.status}: ${s.stderr}`);
        const tasks = JSON.parse(s.stdout) as { id: string; state: { status: string } }[];
        const running = tasks.flatMap((t) => {
          const one = runCli(["status", t.id, "--json"], { env });
          const runs = (JSON.parse(one.stdout) as { runs: { marker: string; status: string }[] }).runs;
          return runs.filter((r) => r.status === "running").map((r) => r.marker);
        });
        const processes = running.map((m) => findProcessesByMarker(m).length);
        seen = `tasks ${tasks.map((t) => `${t.id}=${t.state.status}`).join(", ")}; running runs' processes ${processes.join(", ")}`;
        return running.length === 2 && processes.every((n) => n >= 2) ? running : undefined;
      },
      60_000,
      () => `${seen}; flotilla run printed: ${cli.output().stderr}`,
    );
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(130);
    for (const m of markers) expect(findProcessesByMarker(m)).toEqual([]);
    const { stderr } = cli.output();
    expect(stderr).toContain("Flotilla stopped. What was left where:");
    expect(stderr).toMatch(/ {2}one: interrupted — worktree \S+, branch flotilla\/\S+/);
    expect(stderr).toMatch(/ {2}two: interrupted — worktree \S+, branch flotilla\/\S+/);
    expect(stderr).toContain("flotilla resume");
  }, 90_000);
});
