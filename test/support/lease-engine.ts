import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { createEngine, leases, type Engine } from "@flotilla/engine";
import type { ConfigInput, Project, ScriptStep } from "@flotilla/protocol";
import { isolatedEnv, makeRepo, tempDir, waitFor } from "./fixtures.js";

/** The lease timeout of the lease suites: short, so that "well past it" is a few seconds. */
export const LEASE_TIMEOUT_MS = 1500;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LeaseWorld {
  root: ReturnType<typeof tempDir>;
  repo: string;
  engine: Engine;
  project: Project;
}

/**
 * The lease suites' world: before each test a fresh repository and an engine on it (verify
 * `npm test`, leases timing out after LEASE_TIMEOUT_MS), closed and removed after it; `reopen`
 * swaps the engine for one with more config over those (same store, same repository). Real git,
 * real SQLite, the scripted agent.
 */
export function useLeaseEngine(prefix: string) {
  const world = {} as LeaseWorld;
  const open = async (overrides: ConfigInput = {}) => {
    world.engine = createEngine({
      env: isolatedEnv(world.root.path),
      overrides: {
        ...overrides,
        defaults: { verify: "npm test --silent", leaseTimeoutMs: LEASE_TIMEOUT_MS, ...overrides.defaults },
      },
    });
    world.project = await world.engine.projects.add({ path: world.repo });
  };
  beforeEach(async () => {
    world.root = tempDir(prefix);
    world.repo = makeRepo(join(world.root.path, "repo"));
    await open();
  });
  afterEach(() => {
    world.engine.close();
    world.root.cleanup();
  });
  const lease = (taskId: string) => world.engine.store.read.leases.get(taskId);
  return {
    world,
    async reopen(overrides: ConfigInput): Promise<void> {
      world.engine.close();
      await open(overrides);
    },
    /** A task that declares `writes` and writes `file` (then does `more`). */
    createWriter: (id: string, writes: string[], file: string, more: ScriptStep[] = []) =>
      world.engine.createTask(world.project, {
        id,
        prompt: `write ${file}`,
        agent: "scripted",
        writes,
        review: false,
        script: [{ write: { path: file, content: `${id}\n` } }, ...more],
      }),
    lease,
    /** Makes the task's lease look held by a Flotilla process that is gone; returns its (dead) pid. */
    orphanLease: (taskId: string): number => {
      const dead = spawnSync("true").pid ?? 0;
      world.engine.store.write((ctx) => ctx.leases.put({ ...lease(taskId)!, ownerPid: dead, ownerStartedAt: "1" }));
      return dead;
    },
    /** What a stale-lease sweep releases now. */
    releaseStale: () => leases.releaseStale(world.engine.store, { timeoutMs: LEASE_TIMEOUT_MS }),
    /** Waits (up to 45 s) until `check` holds: the fixtures' `waitFor`. */
    until: (what: string, check: () => boolean) => waitFor(what, check, 45_000),
  };
}
