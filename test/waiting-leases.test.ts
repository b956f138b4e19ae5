import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import type { Engine } from "@flotilla/engine";
import type { Project, ScriptStep, Task } from "@flotilla/protocol";
import { git } from "./support/fixtures.js";
import { LEASE_TIMEOUT_MS, sleep, useLeaseEngine, type LeaseWorld } from "./support/lease-engine.js";

const never = new AbortController().signal;

/**
 * A task that waits for a person with its work in its worktree (needs_input: a question or a
 * permission request; conflicted: a merge conflict left to a person) keeps its write lock on its declared writes after its run ended, past the
 * lease timeout and its process; a follow-up turn (an inbox answer) holds and heartbeats the lock
 * while it runs; a follow-up that would run beside a working task on the same files is refused,
 * naming that task. Real git, real SQLite, the scripted agent; other runs are other `runTasks`
 * calls.
 */
describe("the write lease of a task waiting for a person", () => {
  const world = useLeaseEngine("flotilla-waiting-");
  const { createWriter, lease, orphanLease, releaseStale, until } = world;
  let root: LeaseWorld["root"];
  let repo: string;
  let engine: Engine;
  let project: Project;
  beforeEach(() => ({ root, repo, engine, project } = world.world));

  /** A task that asks a question first (so it rests in needs_input), run until it rests. */
  async function runAsking(id: string, writes: string[], followUp: ScriptStep[]): Promise<Task> {
    await engine.createTask(project, {
      id,
      prompt: `do ${id}`,
      agent: "scripted",
      writes,
      review: false,
      script: { steps: [{ ask: { question: `${id}: which way?` } }], followUps: [followUp] },
    });
    const task = await engine.runTask(id, { shutdown: never });
    expect(task.state.status).toBe("needs_input");
    return task;
  }
  const itemOf = (taskId: string) => {
    const item = engine.inbox().find((i) => i.taskId === taskId);
    if (!item) throw new Error(`no inbox item for ${taskId}`);
    return item;
  };

  it("keeps its declared writes past the lease timeout and its process; answering it lets it finish and the waiting task run", async () => {
    await runAsking("asker", ["a.txt"], [{ write: { path: "a.txt", content: "asker\n" } }]);
    expect(lease("asker")?.globs).toEqual(["a.txt"]);

    // Nobody heartbeats it (its run ended), well past the timeout; then its process is gone.
    await sleep(2 * LEASE_TIMEOUT_MS);
    expect(releaseStale()).toEqual([]);
    const dead = orphanLease("asker");
    expect(releaseStale()).toEqual([]);
    expect(lease("asker")).toMatchObject({ globs: ["a.txt"], ownerPid: dead });

    // A task that declares no writes does not wait for it (it would wait until a person answers).
    await createWriter("anything", [], "c.txt");
    const [anything] = await engine.runTasks(["anything"], { shutdown: never });
    expect(anything?.state.status).toBe("merged");
    expect(engine.store.read.events.since(0, { taskId: "anything", types: ["task.waiting"] })).toEqual([]);

    // Another run: the task on b.txt lands, the one on a.txt waits for the asking task's lock.
    await createWriter("on-a", ["a.txt"], "a.txt");
    await createWriter("on-b", ["b.txt"], "b.txt");
    const other = engine.runTasks(["on-a", "on-b"], { shutdown: never });
    await until("on-b to land", () => engine.task("on-b").state.status === "merged");
    await sleep(2 * LEASE_TIMEOUT_MS);
    const onA = engine.task("on-a");
    expect(onA.state.status).toBe("queued");
    expect(onA.waitingFor).toBe("waits for the write lock on a.txt held by asker");
    expect(lease("asker")?.globs).toEqual(["a.txt"]);

    // A person answers: the asking task finishes and lands, then the waiting run goes on.
    const answered = await engine.answer(itemOf("asker").id, "this way", { shutdown: never });
    expect(answered.state.status).toBe("merged");
    const finals = await other;
    expect(finals.map((t) => [t.id, t.state.status])).toEqual([
      ["on-a", "merged"],
      ["on-b", "merged"],
    ]);
    expect(git(repo, "show", "main:a.txt")).toBe("on-a");
    expect(git(repo, "log", "--format=%s", "main", "--", "a.txt").split("\n")).toHaveLength(2);
    expect(engine.store.read.leases.list()).toEqual([]);
  }, 150_000);

  it("a conflicted task keeps its declared writes past the lease timeout; once it is aborted the waiting task runs", async () => {
    // A merge conflict waits for a person (not the agent): the task rests conflicted.
    await world.reopen({ workflow: { onConflict: "person" } });
    ({ engine, project } = world.world);
    // "late" declares b.txt but also writes shared.txt, which "early" declares and lands first.
    await createWriter("early", ["shared.txt"], "shared.txt");
    await createWriter("late", ["b.txt"], "b.txt", [
      { write: { path: "shared.txt", content: "late\n" } },
      { sleep: { ms: 1000 } },
    ]);
    const rested = await engine.runTasks(["early", "late"], { shutdown: never });
    expect(rested.map((t) => [t.id, t.state.status])).toEqual([
      ["early", "merged"],
      ["late", "conflicted"],
    ]);
    expect(engine.task("late").state).toMatchObject({ files: ["shared.txt"] });
    expect(lease("late")?.globs).toEqual(["b.txt"]);

    // Its run is over and nobody heartbeats the lock, well past the timeout: another run's task
    // on b.txt waits for it.
    await createWriter("on-b", ["b.txt"], "b.txt");
    const other = engine.runTasks(["on-b"], { shutdown: never });
    await until("on-b to wait", () => engine.task("on-b").waitingFor !== undefined);
    await sleep(2 * LEASE_TIMEOUT_MS);
    expect(releaseStale()).toEqual([]);
    expect(engine.task("on-b")).toMatchObject({
      state: { status: "queued" },
      waitingFor: "waits for the write lock on b.txt held by late",
    });

    // A person gives up on it: the lock goes, and the waiting task runs and lands.
    expect((await engine.abort("late")).state.status).toBe("cancelled");
    expect(lease("late")).toBeUndefined();
    expect((await other)[0]?.state.status).toBe("merged");
    expect(git(repo, "show", "main:b.txt")).toBe("on-b");
  }, 150_000);

  it("a follow-up turn holds its lock while it runs: another run's overlapping task waits until it is done", async () => {
    // The answer's turn lasts well past the lease timeout (a lower bound: it sleeps that long).
    const turnMs = 8 * LEASE_TIMEOUT_MS;
    await runAsking("asker", ["a.txt"], [{ sleep: { ms: turnMs } }, { write: { path: "a.txt", content: "asker\n" } }]);
    const answering = engine.answer(itemOf("asker").id, "go on", { shutdown: never });
    await until("the answer's turn to start", () => engine.task("asker").state.status === "running");

    await createWriter("on-a", ["a.txt"], "a.txt");
    const other = engine.runTasks(["on-a"], { shutdown: never });
    await until("on-a to wait", () => engine.task("on-a").waitingFor !== undefined);
    // Past the lease timeout, still inside the turn: the lock is held, on-a still waits.
    await sleep(2 * LEASE_TIMEOUT_MS);
    expect(engine.task("asker").state.status).toBe("running");
    expect(engine.task("on-a")).toMatchObject({
      state: { status: "queued" },
      waitingFor: "waits for the write lock on a.txt held by asker",
    });

    expect((await answering).state.status).toBe("merged");
    const [onA] = await other;
    expect(onA?.state.status).toBe("merged");
    // on-a started only once the asking task had landed: its branch builds on it.
    expect(git(repo, "log", "--format=%s", "main", "--", "a.txt").split("\n")).toHaveLength(2);
    expect(git(repo, "show", "main:a.txt")).toBe("on-a");
  }, 150_000);

  it("a follow-up that would run beside a working task on the same files is refused, naming it; once that task rests it goes", async () => {
    await runAsking("asker", ["src/**"], [{ write: { path: "src/x.ts", content: "export const x = 1;\n" } }]);
    // A task that declares no writes starts while the asking task waits, and works until the gate opens.
    const gate = join(root.path, "gate");
    await createWriter("anything", [], "c.txt", [{ run: { cmd: `while [ ! -f '${gate}' ]; do sleep 0.05; done` } }]);
    const other = engine.runTasks(["anything"], { shutdown: never });
    await until("anything to run", () => engine.task("anything").state.status === "running");

    const item = itemOf("asker");
    const refusal = {
      code: "busy",
      message: expect.stringMatching(/^cannot send a follow-up to task asker now: .*task anything's, which is running/),
    };
    await expect(engine.answer(item.id, "go on", { shutdown: never })).rejects.toMatchObject(refusal);
    expect(() => engine.checkFollowUp("asker")).toThrow(/send it again once anything rests/);
    // Nothing was sent: the task still waits for its answer, with its lock.
    expect(engine.task("asker").state.status).toBe("needs_input");
    expect(itemOf("asker").id).toBe(item.id);
    expect(lease("asker")?.globs).toEqual(["src/**"]);

    writeFileSync(gate, "");
    expect((await other)[0]?.state.status).toBe("merged");
    const answered = await engine.answer(item.id, "go on", { shutdown: never });
    expect(answered.state.status).toBe("merged");
    expect(git(repo, "show", "main:src/x.ts")).toBe("export const x = 1;");
  }, 150_000);
});
