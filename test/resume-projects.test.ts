import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "@flotilla/engine";
import type { Project } from "@flotilla/protocol";
import { git, isolatedEnv, makeRepo, tempDir, writerSpec } from "./support/fixtures.js";

const never = new AbortController().signal;

/**
 * `flotilla resume` (and the daemon's `POST /resume`) takes what was left in every project: each
 * project's tasks run under that project's limits and land through that project's merge queue.
 * Real git repos, a real SQLite store, the scripted agent.
 */
describe("a resume that spans projects", () => {
  let root: ReturnType<typeof tempDir>;
  let engine: Engine;
  beforeEach(() => (root = tempDir("flotilla-resume-projects-")));
  afterEach(() => {
    engine?.close();
    root.cleanup();
  });

  it("runs each project's tasks under its own limits and lands them in its own repository", async () => {
    const repoA = makeRepo(join(root.path, "a"));
    const repoB = makeRepo(join(root.path, "b"));
    // Project A runs one task at a time; B keeps the default.
    mkdirSync(join(repoA, ".flotilla"));
    writeFileSync(join(repoA, ".flotilla", "config.yaml"), "defaults:\n  concurrency: 1\n");
    git(repoA, "add", ".flotilla");
    git(repoA, "commit", "-q", "-m", "one at a time");
    engine = createEngine({ env: isolatedEnv(root.path), overrides: { defaults: { verify: "true" } } });
    const a = await engine.projects.add({ path: repoA });
    const b = await engine.projects.add({ path: repoB });
    const queue = (project: Project, id: string) =>
      engine.createTask(project, writerSpec(id, { after: [{ sleep: { ms: 700 } }] }));
    // B's tasks first: a resume run under the first task's project would run A's two at once.
    await queue(b, "b1");
    await queue(b, "b2");
    await queue(a, "a1");
    await queue(a, "a2");

    const tasks = await engine.resume({ shutdown: never });
    expect(tasks.map((t) => [t.id, t.state.status]).sort()).toEqual([
      ["a1", "merged"],
      ["a2", "merged"],
      ["b1", "merged"],
      ["b2", "merged"],
    ]);
    expect(git(repoA, "show", "main:a1.txt")).toBe("a1");
    expect(git(repoA, "show", "main:a2.txt")).toBe("a2");
    expect(git(repoB, "show", "main:b1.txt")).toBe("b1");
    expect(git(repoB, "show", "main:b2.txt")).toBe("b2");

    // A's tasks never ran at the same time: one's agent run ended before the other's started.
    const runOf = (taskId: string) => {
      const seqs = (to: string) =>
        engine.store.read.events
          .since(0, { taskId, types: ["task.status-changed"] })
          .filter((e) => e.payload.type === "task.status-changed" && e.payload.to.status === to)
          .map((e) => e.seq);
      const [start, end] = [seqs("running"), seqs("verifying")];
      expect(start.length * end.length).toBeGreaterThan(0);
      return { start: Math.min(...start), end: Math.max(...end) };
    };
    const [first, second] = [runOf("a1"), runOf("a2")].sort((x, y) => x.start - y.start);
    expect(first!.end).toBeLessThan(second!.start);
  });
});
