import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGit } from "../git/index.js";
import { createRepo, createSandbox, type Sandbox } from "../git/test-repo.js";
import { processStartTime } from "../process/index.js";
import type { HomePaths, ProcessIdentity } from "../run/pipeline-deps.js";
import {
  addThrowawayWorktree,
  removeThrowawayWorktree,
  sweepThrowawayWorktrees,
  throwawayWorktree,
} from "./throwaway-worktree.js";

/**
 * The orchestrator's throwaway worktrees on a real repository: recorded with their holder before
 * they are made; swept only when that holder is gone (worktree, planning branch, record), never
 * while it lives; nothing left when one cannot be made or its repository is gone.
 */

const git = createGit();
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(async () => {
  await sandbox.cleanup();
});

const self: ProcessIdentity = { pid: process.pid, startedAt: processStartTime(process.pid) ?? "" };
/** This pid with another start time: a Flotilla process that is gone (its pid reused). */
const gone: ProcessIdentity = { pid: process.pid, startedAt: "1" };
/** A live process other than this one. */
const parent: ProcessIdentity = { pid: process.ppid, startedAt: processStartTime(process.ppid) ?? "" };

async function setUp() {
  const repo = await createRepo(git, sandbox);
  const root = await sandbox.newDir("home");
  const home: HomePaths = {
    home: root,
    database: join(root, "flotilla.db"),
    worktrees: join(root, "worktrees"),
    state: join(root, "state"),
    ciStatus: join(root, "ci-status"),
  };
  const base = await git.revParse(repo, "HEAD");
  const records = () => {
    const dir = join(home.state, "throwaway-worktrees");
    return existsSync(dir) ? readdirSync(dir) : [];
  };
  const listed = async (path: string) => (await git.worktreeList(repo)).some((w) => w.path === path);
  return { repo, home, base, records, listed };
}

describe("throwaway worktrees", () => {
  it("are swept when their holder is gone (worktree, branch, record), and never while it lives", async () => {
    const { repo, home, base, records, listed } = await setUp();
    const asking = throwawayWorktree({ home }, "asking", "ask_0b7f6a4e-1c7e-4e3e-9a53-5bd2f4b3c001", repo);
    const planning = throwawayWorktree({ home }, "planning", "plan_01m80z7ayvgcwvn08mn7kh5fqe", repo);
    const alive = throwawayWorktree({ home }, "asking", "ask_0b7f6a4e-1c7e-4e3e-9a53-5bd2f4b3c002", repo);
    await addThrowawayWorktree({ home, git, self: gone }, asking, base);
    await addThrowawayWorktree({ home, git, self: gone }, planning, base);
    await addThrowawayWorktree({ home, git, self: parent }, alive, base);
    expect(planning.branch).toBe("flotilla/plan_01m80z7ayvgcwvn08mn7kh5fqe");
    expect(await git.branchExists(repo, planning.branch ?? "")).toBe(true);
    expect(records().sort()).toHaveLength(3);

    // The holder of all three sweeping: it leaves its own alone.
    expect(await sweepThrowawayWorktrees({ home, git, self: gone }, { graceMs: 100 })).toEqual({
      removedWorktrees: [],
      sweptProcesses: 0,
    });
    // Another process: the dead holder's go, the live one's stays.
    const sweep = await sweepThrowawayWorktrees({ home, git, self }, { graceMs: 100 });
    expect(sweep.removedWorktrees.sort()).toEqual([asking.path, planning.path].sort());
    for (const wt of [asking, planning]) {
      expect(existsSync(wt.path)).toBe(false);
      expect(await listed(wt.path)).toBe(false);
    }
    expect(await git.branchExists(repo, planning.branch ?? "")).toBe(false);
    expect(existsSync(alive.path)).toBe(true);
    expect(await listed(alive.path)).toBe(true);
    expect(records()).toEqual([`${alive.id}.json`]);

    // Its holder removes it as usual: nothing left.
    expect(await removeThrowawayWorktree({ home, git }, alive)).toBe(true);
    expect(records()).toEqual([]);
    expect(await listed(alive.path)).toBe(false);
  });

  it("`flotilla clean` of one project: only that repository's, and --dry-run removes nothing", async () => {
    const { repo, home, base, records } = await setUp();
    const other = await createRepo(git, sandbox);
    const mine = throwawayWorktree({ home }, "asking", "ask_0b7f6a4e-1c7e-4e3e-9a53-5bd2f4b3c004", repo);
    const theirs = throwawayWorktree({ home }, "asking", "ask_0b7f6a4e-1c7e-4e3e-9a53-5bd2f4b3c005", other);
    await addThrowawayWorktree({ home, git, self: gone }, mine, base);
    await addThrowawayWorktree({ home, git, self: gone }, theirs, await git.revParse(other, "HEAD"));
    const dry = await sweepThrowawayWorktrees({ home, git, self }, { repo, dryRun: true });
    expect(dry.removedWorktrees).toEqual([mine.path]);
    expect(existsSync(mine.path)).toBe(true);
    expect(records()).toHaveLength(2);
    expect((await sweepThrowawayWorktrees({ home, git, self }, { repo })).removedWorktrees).toEqual([mine.path]);
    expect(existsSync(mine.path)).toBe(false);
    expect(existsSync(theirs.path)).toBe(true);
    expect(records()).toEqual([`${theirs.id}.json`]);
  });

  it("a repository that is gone: the folder and the record still go", async () => {
    const { repo, home, base, records } = await setUp();
    const wt = throwawayWorktree({ home }, "asking", "ask_0b7f6a4e-1c7e-4e3e-9a53-5bd2f4b3c003", repo);
    await addThrowawayWorktree({ home, git, self: gone }, wt, base);
    rmSync(repo, { recursive: true, force: true });
    expect((await sweepThrowawayWorktrees({ home, git, self }, { graceMs: 100 })).removedWorktrees).toEqual([wt.path]);
    expect(existsSync(wt.path)).toBe(false);
    expect(records()).toEqual([]);
  });

  it("one that cannot be made leaves nothing; ids that are not ours are refused", async () => {
    const { repo, home, records } = await setUp();
    const wt = throwawayWorktree({ home }, "planning", "plan_01m80z7ayvgcwvn08mn7kh5fqf", repo);
    await expect(addThrowawayWorktree({ home, git, self }, wt, "no-such-commit")).rejects.toThrow();
    expect(existsSync(wt.path)).toBe(false);
    expect(await git.branchExists(repo, wt.branch ?? "")).toBe(false);
    expect(records()).toEqual([]);
    expect(() => throwawayWorktree({ home }, "asking", "../../etc", repo)).toThrow(/invalid asking worktree id/);
    expect(() => throwawayWorktree({ home }, "planning", "ask_x", repo)).toThrow();
  });
});
