import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "@flotilla/engine";
import type { Project } from "@flotilla/protocol";
import { isolatedEnv, makeRepo, tempDir, writerSpec } from "./support/fixtures.js";

const never = new AbortController().signal;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two runs in one process share the concurrency limit. A run whose task waits only for a slot
 * another run's task holds must not end with its task left queued: it waits, and runs the task
 * once the slot frees. Real git, real SQLite, the scripted agent.
 */
describe("a task waiting for a slot another run holds", () => {
  let root: ReturnType<typeof tempDir>;
  let engine: Engine;
  let project: Project;

  beforeEach(async () => {
    root = tempDir("flotilla-slot-");
    const repo = makeRepo(join(root.path, "repo"));
    engine = createEngine({
      env: isolatedEnv(root.path),
      overrides: { defaults: { concurrency: 1, verify: "npm test --silent" } },
    });
    project = await engine.projects.add({ path: repo });
  });
  afterEach(() => {
    engine.close();
    root.cleanup();
  });

  const create = (id: string, ms: number) =>
    engine.createTask(project, writerSpec(id, { before: [{ sleep: { ms } }] }));

  it("is run once that slot frees, by the run that waited for it", async () => {
    await create("first", 2500);
    await create("second", 0);
    const first = engine.runTasks(["first"], { shutdown: never });
    const deadline = Date.now() + 30_000;
    while (engine.store.read.tasks.get("first")?.state.status !== "running") {
      if (Date.now() > deadline) throw new Error("the first task never started");
      await sleep(25);
    }
    const second = await engine.runTasks(["second"], { shutdown: never });
    expect(second.map((t) => [t.id, t.state.status])).toEqual([["second", "merged"]]);
    const events = engine.store.read.events.since(0, { taskId: "second" });
    const waits = events.flatMap((e) => (e.payload.type === "task.waiting" ? [e.payload.reason] : []));
    expect(waits).toContain("waits for a free slot (concurrency limit reached)");
    expect((await first).map((t) => t.state.status)).toEqual(["merged"]);
  });
});
