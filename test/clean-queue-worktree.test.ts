import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "@flotilla/engine";
import { PlanSchema, type Project } from "@flotilla/protocol";
import { isolatedEnv, makeRepo, tempDir } from "./support/fixtures.js";

const never = new AbortController().signal;

/** `flotilla clean` and the merge queue's own checkout: recreated on demand, never taken mid-landing. */
describe("clean and the merge queue's worktree", () => {
  let root: ReturnType<typeof tempDir>;
  let engine: Engine;
  let project: Project;

  beforeEach(async () => {
    root = tempDir("flotilla-clean-queue-");
    const repo = makeRepo(join(root.path, "repo"));
    engine = createEngine({ env: isolatedEnv(root.path), overrides: { defaults: { verify: "npm test --silent" } } });
    project = await engine.projects.add({ path: repo });
  });
  afterEach(() => {
    engine.close();
    root.cleanup();
  });

  it("keeps the queue's worktree while a task of its target is merging, and removes it when idle", async () => {
    // Two tasks landing one after the other: the second's candidate is a new commit, tested in
    // the queue's own worktree.
    const writer = (id: string) => ({
      id,
      prompt: `write ${id}.txt`,
      writes: [`${id}.txt`],
      review: false,
      script: [{ write: { path: `${id}.txt`, content: `${id}\n` } }],
    });
    const { tasks } = await engine.createPlan(project, PlanSchema.parse({ tasks: [writer("a"), writer("b")] }), {
      concurrency: 2,
    });
    const finals = await engine.runTasks(
      tasks.map((t) => t.id),
      { shutdown: never, concurrency: 2 },
    );
    expect(finals.map((t) => t.state.status)).toEqual(["merged", "merged"]);
    const dir = join(engine.home.worktrees);
    const queueDir = () =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name.startsWith("merge-queue-"))
        .map((d) => join(d.parentPath, d.name))[0];
    const queue = queueDir();
    expect(queue, "the queue made its worktree while landing").toBeDefined();

    // Another task is in the queue's hands right now: its checkout must stay.
    await engine.createTask(project, {
      id: "landing",
      prompt: "x",
      agent: "scripted",
      writes: ["c.txt"],
      script: [{ say: { text: "hi" } }],
    });
    engine.store.write((ctx) => ctx.tasks.setState("landing", { status: "merging" }, ctx.now));
    const busy = await engine.clean(project);
    expect(busy.removedWorktrees).not.toContain(queue);
    expect(existsSync(queue!)).toBe(true);

    // Nothing landing: it is an ordinary leftover, removed (the queue makes it again when needed).
    engine.store.write((ctx) => ctx.tasks.setState("landing", { status: "cancelled" }, ctx.now));
    const idle = await engine.clean(project);
    expect(idle.removedWorktrees).toContain(queue);
    expect(existsSync(queue!)).toBe(false);
  });
});
