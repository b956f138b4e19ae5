import picomatch from "picomatch";
import { beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "@flotilla/engine";
import type { Project, Task, TaskSpec } from "@flotilla/protocol";
import { git } from "./support/fixtures.js";
import { LEASE_TIMEOUT_MS, sleep, useLeaseEngine } from "./support/lease-engine.js";

const never = new AbortController().signal;

/**
 * A task held for approval (or blocked) is parked: its work waits on its branch for a person. Its
 * write lease then holds exactly the files it changed — not its declared writes (a task that
 * declares none would lock everything) — and it is never released as stale, since no process
 * needs to keep it alive. Real git, real SQLite, the scripted agent; other runs are other
 * `runTasks` calls.
 */
describe("a parked task's write lease", () => {
  const world = useLeaseEngine("flotilla-parked-");
  const { createWriter, lease, orphanLease, releaseStale, until } = world;
  let repo: string;
  let engine: Engine;
  let project: Project;
  beforeEach(() => ({ repo, engine, project } = world.world));

  /** A task held for approval that declares no writes (so it may write anything), run until it rests. */
  async function runHeld(id: string, steps: NonNullable<TaskSpec["script"]>): Promise<Task> {
    await engine.createTask(project, {
      id,
      prompt: `do ${id}`,
      agent: "scripted",
      review: false,
      holdForApproval: true,
      script: steps,
    });
    const task = await engine.runTask(id, { shutdown: never });
    expect(task.state).toEqual({ status: "awaiting_merge", reason: expect.stringMatching(/^held for approval/) });
    return task;
  }

  it("holds the files it changed across runs, past the lease timeout and its process; approving it lets the waiting task run", async () => {
    await runHeld("held", [{ write: { path: "a.txt", content: "held\n" } }]);
    expect(lease("held")?.globs).toEqual(["a.txt"]);

    // Another run: the task on b.txt goes (it lands), the one on a.txt waits for the held task's lock.
    await createWriter("on-a", ["a.txt"], "a.txt");
    await createWriter("on-b", ["b.txt"], "b.txt");
    const other = engine.runTasks(["on-a", "on-b"], { shutdown: never });
    await until("on-b to land", () => engine.task("on-b").state.status === "merged");
    expect(git(repo, "show", "main:b.txt")).toBe("on-b");
    const waiting = () => {
      const onA = engine.task("on-a");
      expect(onA.state.status).toBe("queued");
      expect(onA.waitingFor).toBe("waits for the write lock on a.txt held by held");
      expect(lease("held")?.globs).toEqual(["a.txt"]);
    };
    waiting();

    // Nobody heartbeats the held task's lease (no run drives it), well past the timeout: still held.
    await sleep(2 * LEASE_TIMEOUT_MS);
    waiting();

    // The process that ran it is gone (its pid now names no process): still held.
    const dead = orphanLease("held");
    expect(releaseStale()).toEqual([]);
    await sleep(2 * LEASE_TIMEOUT_MS);
    waiting();
    expect(lease("held")?.ownerPid).toBe(dead);

    // A person approves it: it lands, its lease goes, and the waiting run goes on with on-a.
    const approved = await engine.merge("held", { shutdown: never });
    expect(approved.state.status).toBe("merged");
    const finals = await other;
    expect(finals.map((t) => [t.id, t.state.status])).toEqual([
      ["on-a", "merged"],
      ["on-b", "merged"],
    ]);
    expect(git(repo, "show", "main:a.txt")).toBe("on-a");
    expect(git(repo, "log", "--format=%s", "main", "--", "a.txt").split("\n")).toHaveLength(2);
    expect(engine.store.read.leases.list()).toEqual([]);
  }, 120_000);

  it("a held task that changed nothing holds no lease: a task that may write anything runs", async () => {
    await runHeld("noop", [
      { write: { path: "tmp.txt", content: "gone soon\n" } },
      { commit: { message: "Add tmp.txt" } },
      { delete: { path: "tmp.txt" } },
      { commit: { message: "Remove tmp.txt" } },
    ]);
    expect(lease("noop")).toBeUndefined();

    await createWriter("all", ["**"], "c.txt");
    const [all] = await engine.runTasks(["all"], { shutdown: never });
    expect(all?.state.status).toBe("merged");
    expect(engine.store.read.events.since(0, { taskId: "all", types: ["task.waiting"] })).toEqual([]);
  }, 90_000);

  it("a changed path with glob characters is locked literally", async () => {
    await runHeld("brackets", [{ write: { path: "src/[id].ts", content: "export const id = 1;\n" } }]);
    const globs = lease("brackets")?.globs ?? [];
    expect(globs).toEqual(["src/\\[id\\].ts"]);
    const matches = picomatch(globs, { dot: true });
    expect(matches("src/[id].ts")).toBe(true);
    expect(matches("src/i.ts")).toBe(false);
    expect(matches("src/d.ts")).toBe(false);

    // A task on other files runs; one that writes that very file waits for it.
    await createWriter("lib", ["lib/**"], "lib/x.ts");
    expect((await engine.runTasks(["lib"], { shutdown: never }))[0]?.state.status).toBe("merged");
    await createWriter("same", ["src/\\[id\\].ts"], "src/[id].ts");
    const stop = new AbortController();
    const run = engine.runTasks(["same"], { shutdown: stop.signal });
    await until("same to wait", () => engine.task("same").waitingFor !== undefined);
    expect(engine.task("same").waitingFor).toBe("waits for the write lock on src/\\[id\\].ts held by brackets");
    stop.abort();
    await run;
    expect(engine.task("same").state.status).toBe("queued");
  }, 90_000);
});
