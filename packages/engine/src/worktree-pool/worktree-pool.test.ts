import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Project } from "@flotilla/protocol";
import { createGit } from "../git/index.js";
import { createRepo, createSandbox, rawGit, readText, writeFiles, type Sandbox } from "../git/test-repo.js";
import { createStore, type Store } from "../store/index.js";
import { createWorktreePool, type WorktreePool } from "./index.js";

const git = createGit();
let sandbox: Sandbox;
let store: Store;
let pool: WorktreePool;
let worktreesDir: string;
let repo: string;
let project: Project;

beforeAll(async () => {
  sandbox = await createSandbox();
  store = createStore(join(await sandbox.newDir("home"), "flotilla.db"));
  worktreesDir = await sandbox.newDir("worktrees");
  pool = createWorktreePool({ store, git, dirFor: (p) => join(worktreesDir, p.name) });
});
afterAll(async () => {
  store.close();
  await sandbox.cleanup();
});
beforeEach(async () => {
  repo = await createRepo(git, sandbox, { ".gitignore": "*.log\nbuild/\n", "src/a.ts": "export const a = 1;\n" });
  const name = repo.split("/").pop() ?? "repo";
  project = { id: `proj_${name}`, name, path: repo, createdAt: new Date().toISOString() };
});

const worktreeCount = async () => (await git.worktreeList(repo)).length;

describe("worktree pool", () => {
  it("gives a reused worktree to the next task with no file of the previous one left", async () => {
    const first = await pool.take(project, { branch: "flotilla/t1", base: "main", taskId: "t1" });
    expect(first).toMatchObject({ branch: "flotilla/t1", fromPool: false, createdBranch: true });
    expect(first.path).toBe(join(worktreesDir, project.name, "pool-1"));
    expect(pool.list(project)).toMatchObject([{ path: first.path, state: "taken", taskId: "t1" }]);

    // The task commits, then leaves an edit, untracked files and dirs, and ignored files behind.
    await writeFiles(first.path, { "feature.ts": "export {};\n" });
    await git.commitAll(first.path, { message: "t1 work" });
    await writeFiles(first.path, {
      "src/a.ts": "export const a = 'changed';\n",
      "scratch.txt": "untracked\n",
      "junk/deep/dir/file.txt": "untracked dir\n",
      "debug.log": "ignored\n",
      "build/out.js": "ignored dir\n",
    });
    await pool.giveBack(first.path);
    expect(pool.list(project)).toMatchObject([{ path: first.path, state: "idle" }]);
    expect(pool.list(project)[0]?.taskId).toBeUndefined();
    expect(await git.currentBranch(first.path)).toBeUndefined();
    // Its branch is free again: the cleanup policy can delete it.
    expect(await git.deleteBranch(repo, "flotilla/t1", { force: true })).toBe(true);

    await writeFiles(repo, { "later.txt": "main moved on\n" });
    await git.commitAll(repo, { message: "main moves" });
    const mainTip = await git.revParse(repo, "main");
    const count = await worktreeCount();

    const second = await pool.take(project, { branch: "flotilla/t2", base: "main", taskId: "t2" });
    expect(second).toMatchObject({ path: first.path, branch: "flotilla/t2", head: mainTip, fromPool: true });
    expect(await worktreeCount()).toBe(count);
    expect(await git.currentBranch(second.path)).toBe("flotilla/t2");
    expect(await git.revParse(second.path, "HEAD")).toBe(mainTip);
    expect(await readText(second.path, "src/a.ts")).toBe("export const a = 1;\n");
    expect(await readText(second.path, "later.txt")).toBe("main moved on\n");
    for (const gone of ["feature.ts", "scratch.txt", "junk", "debug.log", "build"])
      expect(existsSync(join(second.path, gone))).toBe(false);
    expect(await rawGit(second.path, ["status", "--porcelain", "--ignored"])).toBe("");
  });

  it("serves takes from prewarmed worktrees without adding any, and trims the surplus", async () => {
    const created = await pool.prewarm(project, 2);
    expect(created).toHaveLength(2);
    expect(await pool.prewarm(project, 2)).toEqual([]);
    const count = await worktreeCount();
    expect(count).toBe(3);

    const taken = await pool.take(project, { branch: "flotilla/p1", base: "main" });
    expect(taken.fromPool).toBe(true);
    expect(created).toContain(taken.path);
    expect(await worktreeCount()).toBe(count);
    const other = await pool.take(project, { branch: "flotilla/p2", base: "main" });
    expect(other.fromPool).toBe(true);
    expect(other.path).not.toBe(taken.path);
    const third = await pool.take(project, { branch: "flotilla/p3", base: "main" });
    expect(third.fromPool).toBe(false);
    expect(await worktreeCount()).toBe(count + 1);

    await pool.giveBack(taken.path);
    await pool.giveBack(other.path);
    await pool.giveBack(third.path);
    expect(pool.list(project).filter((e) => e.state === "idle")).toHaveLength(3);
    const removed = await pool.trim(project, 1);
    expect(removed).toHaveLength(2);
    for (const path of removed) expect(existsSync(path)).toBe(false);
    expect(await worktreeCount()).toBe(2);
    expect(pool.list(project)).toHaveLength(1);
    // The one kept is the most recently given back.
    expect(pool.list(project)[0]?.path).toBe(third.path);
  });

  it("checks out an existing branch as it is, keeping its commits", async () => {
    await pool.prewarm(project, 1);
    const first = await pool.take(project, { branch: "flotilla/resumed", base: "main" });
    await writeFiles(first.path, { "progress.txt": "step 1\n" });
    const done = await git.commitAll(first.path, { message: "step 1" });
    await pool.giveBack(first.path);
    const again = await pool.take(project, { branch: "flotilla/resumed", base: "main" });
    expect(again).toMatchObject({ fromPool: true, createdBranch: false, head: done?.commit });
    expect(await readText(again.path, "progress.txt")).toBe("step 1\n");
  });

  it("skips pooled entries whose worktree is gone, and leaves a good one pooled when the caller's branch is busy", async () => {
    const [gone] = await pool.prewarm(project, 1);
    await rm(gone!, { recursive: true, force: true });
    const fresh = await pool.take(project, { branch: "flotilla/f", base: "main" });
    expect(fresh.fromPool).toBe(false);
    expect(pool.list(project).map((e) => e.path)).toEqual([fresh.path]);

    await pool.prewarm(project, 1);
    await expect(pool.take(project, { branch: "main", base: "main" })).rejects.toMatchObject({ code: "git_failed" });
    expect(pool.list(project).filter((e) => e.state === "idle")).toHaveLength(1);
  });

  it("adopts a task worktree it did not create only when told its project", async () => {
    const path = join(worktreesDir, project.name, "task-x");
    await git.worktreeAdd(repo, { path, branch: "flotilla/x", base: "main" });
    await expect(pool.giveBack(path)).rejects.toMatchObject({ code: "not_found" });
    await pool.giveBack(path, { project });
    expect(pool.list(project)).toMatchObject([{ path, state: "idle" }]);
    await expect(pool.giveBack(repo, { project })).rejects.toMatchObject({ code: "invalid_input" });
    expect((await pool.take(project, { branch: "flotilla/y", base: "main" })).path).toBe(path);
  });
});
