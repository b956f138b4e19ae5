import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine, findProcessesByMarker, type Engine } from "@flotilla/engine";
import type { Script } from "@flotilla/protocol";
import { git, isolatedEnv, makeRepo, tempDir } from "./support/fixtures.js";

const never = new AbortController().signal;

const BUMP: Script = {
  steps: [
    { say: { text: "bumping the value" } },
    { replace: { path: "src/value.js", find: "=> 1", with: "=> 2" } },
    { replace: { path: "test/value.test.js", find: "value(), 1", with: "value(), 2" } },
  ],
  followUps: [],
};

describe("one task end to end on a real repo and a real store", () => {
  let root: ReturnType<typeof tempDir>;
  let repo: string;
  let engine: Engine;

  beforeEach(() => {
    root = tempDir();
    repo = makeRepo(join(root.path, "repo"));
    engine = createEngine({ env: isolatedEnv(root.path), overrides: { defaults: { verify: "npm test --silent" } } });
  });
  afterEach(() => {
    engine.close();
    root.cleanup();
  });

  it("runs, commits with trailers, verifies, merges, records CI, announces every step in order", async () => {
    const project = await engine.projects.add({ path: repo });
    const before = git(repo, "rev-parse", "main");
    const task = await engine.createTask(project, {
      id: "bump",
      prompt: "bump the value",
      agent: "scripted",
      script: BUMP,
    });
    const final = await engine.runTask(task.id, { shutdown: never });

    expect(final.state).toMatchObject({ status: "merged" });
    const head = git(repo, "rev-parse", "main");
    expect(head).not.toBe(before);
    expect(git(repo, "merge-base", "--is-ancestor", before, head)).toBe("");
    expect(readFileSync(join(repo, "src/value.js"), "utf8")).toContain("=> 2");
    const trailers = git(repo, "log", "-1", "--format=%(trailers)", "main");
    expect(trailers).toContain("Flotilla-Task: bump");
    expect(trailers).toMatch(/Flotilla-Run: run_[0-9a-z]{26}/);
    expect(trailers).toContain("Flotilla-Agent: scripted");

    const ci = engine.ci(head.slice(0, 8));
    expect(ci.status).toBe("pass");
    expect(existsSync(join(engine.home.ciStatus, `${head}.json`))).toBe(true);

    const types = engine.store.read.events
      .since(0, { taskId: "bump" })
      .map((e) => (e.payload.type === "task.status-changed" ? `→${e.payload.to.status}` : e.payload.type));
    expect(types[0]).toBe("task.created");
    const statuses = types.filter((t) => t.startsWith("→"));
    expect(statuses).toEqual([
      "→preparing",
      "→running",
      "→verifying",
      "→reviewing",
      "→awaiting_merge",
      "→merging",
      "→merged",
    ]);
    const order = (t: string) => types.indexOf(t);
    expect(order("worktree.created")).toBeLessThan(order("run.started"));
    expect(order("run.started")).toBeLessThan(order("run.agent-event"));
    expect(order("run.finished")).toBeLessThan(order("task.committed"));
    expect(order("task.committed")).toBeLessThan(order("verify.started"));
    expect(order("verify.finished")).toBeLessThan(order("review.finished"));
    expect(order("review.finished")).toBeLessThan(order("merge.started"));
    expect(order("task.merged")).toBeGreaterThan(order("→merged"));
    // Cleanup policy: on success the worktree and the merged branch go.
    expect(existsSync(task.worktreePath ?? "/nonexistent")).toBe(false);
    expect(git(repo, "branch", "--list", "flotilla/bump")).toBe("");
  });

  it("fails a task whose tests fail, keeps the output, the worktree and main as they were", async () => {
    const project = await engine.projects.add({ path: repo });
    const before = git(repo, "rev-parse", "main");
    const broken: Script = {
      steps: [{ replace: { path: "src/value.js", find: "=> 1", with: "=> 3" } }],
      followUps: [],
    };
    const task = await engine.createTask(project, {
      id: "broken",
      prompt: "break it",
      agent: "scripted",
      script: broken,
    });
    const final = await engine.runTask(task.id, { shutdown: never });

    expect(final.state.status).toBe("failed");
    if (final.state.status !== "failed") return;
    expect(final.state.reason).toMatch(/verify failed: `npm test --silent` exited 1/);
    expect(final.state.detail).toMatch(/3 !== 1|Expected values to be strictly equal/);
    expect(git(repo, "rev-parse", "main")).toBe(before);
    expect(final.worktreePath && existsSync(final.worktreePath)).toBe(true);
    expect(engine.ci(final.headCommit ?? "").status).toBe("fail");
  });

  it("marks a merge conflict with the files named and leaves main as it was", async () => {
    const project = await engine.projects.add({ path: repo });
    const edit: Script = {
      steps: [{ replace: { path: "README.md", find: "line two", with: "line two, by the agent" } }],
      followUps: [],
    };
    const task = await engine.createTask(project, {
      id: "readme",
      prompt: "edit the readme",
      agent: "scripted",
      script: edit,
      holdForApproval: true,
    });
    const waiting = await engine.runTask(task.id, { shutdown: never });
    expect(waiting.state.status).toBe("awaiting_merge");

    writeFileSync(join(repo, "README.md"), "# fixture\nline two, by a person\n");
    git(repo, "commit", "-qam", "person edits the readme");
    const mainBefore = git(repo, "rev-parse", "main");

    const final = await engine.merge(task.id, { shutdown: never });
    expect(final.state).toMatchObject({ status: "conflicted", files: ["README.md"] });
    expect(git(repo, "rev-parse", "main")).toBe(mainBefore);
    expect(git(repo, "status", "--porcelain")).toBe("");
    const wt = final.worktreePath ?? "";
    expect(git(wt, "status", "--porcelain")).toBe("");
    expect(readFileSync(join(wt, "README.md"), "utf8")).toContain("by the agent");
  });

  it("never merges over a person's uncommitted change to a file the merge touches, and lands once it is gone", async () => {
    const project = await engine.projects.add({ path: repo });
    const task = await engine.createTask(project, {
      id: "bump2",
      prompt: "bump",
      agent: "scripted",
      script: BUMP,
      holdForApproval: true,
    });
    await engine.runTask(task.id, { shutdown: never });

    const mine = "module.exports = { value: () => 1 }; // my local experiment\n";
    writeFileSync(join(repo, "src/value.js"), mine);
    const mainBefore = git(repo, "rev-parse", "main");
    const blocked = await engine.merge(task.id, { shutdown: never });
    expect(blocked.state.status).toBe("awaiting_merge");
    if (blocked.state.status === "awaiting_merge") expect(blocked.state.reason).toContain("src/value.js");
    expect(readFileSync(join(repo, "src/value.js"), "utf8")).toBe(mine);
    expect(git(repo, "rev-parse", "main")).toBe(mainBefore);

    git(repo, "checkout", "--", "src/value.js");
    const landed = await engine.merge(task.id, { shutdown: never });
    expect(landed.state.status).toBe("merged");
  });

  it("keeps titles and prompts full of shell metacharacters verbatim, and runs none of them", async () => {
    const project = await engine.projects.add({ path: repo });
    const nasty = `$(touch ${root.path}/pwned1) \`touch ${root.path}/pwned2\`; rm -rf / && echo "quoted 'x'" | cat > /dev/null`;
    const task = await engine.createTask(project, {
      id: "nasty",
      title: nasty,
      prompt: nasty,
      agent: "scripted",
      script: BUMP,
    });
    const final = await engine.runTask(task.id, { shutdown: never });
    expect(final.state.status).toBe("merged");
    expect(engine.task("nasty").title).toBe(nasty);
    expect(engine.task("nasty").prompt).toBe(nasty);
    expect(git(repo, "log", "-1", "--format=%B", "main")).toContain(nasty);
    expect(existsSync(join(root.path, "pwned1"))).toBe(false);
    expect(existsSync(join(root.path, "pwned2"))).toBe(false);
  });

  it("fails a task whose agent fails, with the agent's reason, keeping its worktree", async () => {
    const project = await engine.projects.add({ path: repo });
    const script: Script = {
      steps: [{ write: { path: "partial.txt", content: "half" } }, { fail: { message: "cannot do this" } }],
      followUps: [],
    };
    const task = await engine.createTask(project, { id: "agent-fails", prompt: "x", agent: "scripted", script });
    const final = await engine.runTask(task.id, { shutdown: never });
    expect(final.state).toMatchObject({ status: "failed" });
    if (final.state.status === "failed") expect(final.state.reason).toContain("cannot do this");
    expect(readFileSync(join(final.worktreePath ?? "", "partial.txt"), "utf8")).toBe("half");
  });

  it("aborts a hanging agent: cancelled, no process left, worktree and work kept", async () => {
    const project = await engine.projects.add({ path: repo });
    const script: Script = {
      steps: [{ write: { path: "started.txt", content: "yes" } }, { run: { cmd: "sleep 60", detached: true } }],
      followUps: [],
    };
    const task = await engine.createTask(project, { id: "hangs", prompt: "x", agent: "scripted", script });
    const running = engine.runTask(task.id, { shutdown: never });
    const run = await waitForRun(engine, "hangs");
    await waitForFile(join(engine.task("hangs").worktreePath ?? "", "started.txt"));
    const aborted = await engine.abort("hangs");
    expect(aborted.state.status).toBe("cancelled");
    expect((await running).state.status).toBe("cancelled");
    expect(findProcessesByMarker(run)).toEqual([]);
    expect(readFileSync(join(aborted.worktreePath ?? "", "started.txt"), "utf8")).toBe("yes");
  });
});

async function waitForRun(engine: Engine, taskId: string): Promise<string> {
  for (let i = 0; i < 400; i++) {
    const run = engine.store.read.runs.latestForTask(taskId);
    if (run?.status === "running") return run.marker;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("the run never started");
}

async function waitForFile(path: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (existsSync(path)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${path} never appeared`);
}
