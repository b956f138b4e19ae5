import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { processStartTime, startProcess } from "../process/index.js";
import { createStore, type Store } from "../store/index.js";
import { createTaskRecord } from "../tasks/task-record.js";
import { acquire, createLeaseHeartbeat, heartbeat, listActive, release, releaseStale } from "./index.js";

const PROJECT = "proj_01jd0000000000000000000000";
let dir: string;
let store: Store;

function addTask(id: string): void {
  store.write((ctx) => {
    ctx.tasks.insert(
      createTaskRecord({ id, projectId: PROJECT, prompt: id, agent: "scripted", targetBranch: "main", now: ctx.now }),
    );
  });
}

const me = () => ({ pid: process.pid, startedAt: processStartTime(process.pid) ?? "?" });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "flotilla-leases-"));
  store = createStore(join(dir, "flotilla.db"));
  store.write((ctx) => ctx.projects.insert({ id: PROJECT, name: "p", path: "/tmp/p", createdAt: ctx.now }));
  for (const id of ["a", "b", "c"]) addTask(id);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("leases", () => {
  it("acquires, lists, beats and releases; stores the globs as given", () => {
    const lease = acquire(store, { taskId: "a", projectId: PROJECT, globs: ["src/**", "docs/*.md"], owner: me() });
    expect(lease).toMatchObject({ taskId: "a", globs: ["src/**", "docs/*.md"], ownerPid: process.pid });
    expect(listActive(store, PROJECT).map((l) => l.taskId)).toEqual(["a"]);
    expect(listActive(store, "proj_other")).toEqual([]);
    expect(heartbeat(store, "a")).toBe(true);
    expect(release(store, "a")).toBe(true);
    expect(release(store, "a")).toBe(false);
    expect(heartbeat(store, "a")).toBe(false);
    expect(listActive(store)).toEqual([]);
  });

  it("runs inside a caller's write, so a check and the acquire are one transaction", () => {
    store.write((ctx) => {
      expect(listActive(ctx, PROJECT)).toEqual([]);
      acquire(ctx, { taskId: "b", projectId: PROJECT, globs: ["b/**"], owner: me() });
    });
    expect(listActive(store).map((l) => l.taskId)).toEqual(["b"]);
  });

  it("refreshes its own lease, takes over a dead owner's and refuses a live other owner's", async () => {
    const first = acquire(store, { taskId: "a", projectId: PROJECT, globs: ["x"], owner: me() });
    const again = acquire(store, { taskId: "a", projectId: PROJECT, globs: ["y"], owner: me() });
    expect(again.acquiredAt).toBe(first.acquiredAt);
    expect(again.globs).toEqual(["y"]);

    const other = startProcess({ command: "sleep", args: ["30"], cwd: dir, env: { PATH: process.env.PATH } });
    try {
      const owner = { pid: other.pid, startedAt: processStartTime(other.pid) ?? "?" };
      acquire(store, { taskId: "b", projectId: PROJECT, globs: ["b"], owner: me() });
      release(store, "b");
      acquire(store, { taskId: "b", projectId: PROJECT, globs: ["b"], owner });
      expect(() => acquire(store, { taskId: "b", projectId: PROJECT, globs: ["b"], owner: me() })).toThrow(
        /held by another Flotilla process/,
      );
    } finally {
      await other.stop(100);
    }
    expect(acquire(store, { taskId: "b", projectId: PROJECT, globs: ["b"], owner: me() }).ownerPid).toBe(process.pid);
  });
});

describe("releaseStale", () => {
  it("releases a lease whose owner was killed, keeps a live fresh one, releases a live silent one", async () => {
    const child = startProcess({ command: "sleep", args: ["30"], cwd: dir, env: { PATH: process.env.PATH } });
    const childOwner = { pid: child.pid, startedAt: processStartTime(child.pid) ?? "?" };
    acquire(store, { taskId: "a", projectId: PROJECT, globs: ["a/**"], owner: childOwner });
    acquire(store, { taskId: "b", projectId: PROJECT, globs: ["b/**"], owner: me() });

    // While the child lives and every heartbeat is fresh, nothing is stale.
    expect(releaseStale(store, { timeoutMs: 60_000 })).toEqual([]);

    process.kill(child.pid, "SIGKILL");
    await child.exited;
    const released = releaseStale(store, { timeoutMs: 60_000 });
    expect(released.map((r) => [r.lease.taskId, r.reason])).toEqual([["a", "owner_dead"]]);
    expect(released[0]?.lease.ownerPid).toBe(child.pid);
    expect(listActive(store).map((l) => l.taskId)).toEqual(["b"]);

    // A live owner whose heartbeat is older than the timeout is released too.
    const later = new Date(Date.now() + 61_000);
    expect(releaseStale(store, { timeoutMs: 60_000, now: later }).map((r) => [r.lease.taskId, r.reason])).toEqual([
      ["b", "heartbeat_expired"],
    ]);
    expect(listActive(store)).toEqual([]);
  });

  it("treats a reused pid (same pid, other start time) as a dead owner", () => {
    acquire(store, { taskId: "c", projectId: PROJECT, globs: [], owner: { pid: process.pid, startedAt: "1" } });
    expect(releaseStale(store, { timeoutMs: 60_000 }).map((r) => r.reason)).toEqual(["owner_dead"]);
  });
});

describe("createLeaseHeartbeat", () => {
  it("keeps the heartbeat fresh until stopped, and reports a lost lease", async () => {
    acquire(store, { taskId: "a", projectId: PROJECT, globs: [], owner: me() });
    const before = listActive(store)[0]?.heartbeatAt ?? "";
    let lost = 0;
    const beat = createLeaseHeartbeat(store, "a", 20, { onLost: () => lost++ });
    await new Promise((r) => setTimeout(r, 80));
    const after = listActive(store)[0]?.heartbeatAt ?? "";
    expect(after > before).toBe(true);
    release(store, "a");
    await new Promise((r) => setTimeout(r, 60));
    expect(lost).toBe(1);
    beat.stop();
    beat.stop();
  });
});
