import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlotillaError } from "@flotilla/protocol";
import { createGit } from "./index.js";
import { createRepo, createSandbox, rawGit, readText, writeFiles, type Sandbox } from "./test-repo.js";

const git = createGit();
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(async () => {
  await sandbox.cleanup();
});

describe("worktree lifecycle", () => {
  it("adds, lists, resets and removes a worktree", async () => {
    const repo = await createRepo(git, sandbox, { ".gitignore": "*.log\nbuild/\n" });
    const base = await git.revParse(repo, "HEAD");
    const path = join(await sandbox.newDir("wt"), "task-1");

    const added = await git.worktreeAdd(repo, { path, branch: "flotilla/task-1", base: "main" });
    expect(added).toEqual({ path, branch: "flotilla/task-1", head: base, createdBranch: true });
    expect(await readText(path, "README.md")).toBe("# test\n");
    expect(await git.currentBranch(path)).toBe("flotilla/task-1");
    expect(await git.topLevel(path)).toBe(path);

    const listed = await git.worktreeList(repo);
    expect(listed).toEqual([
      { path: repo, head: base, branch: "main", detached: false, locked: false, prunable: false, bare: false },
      { path, head: base, branch: "flotilla/task-1", detached: false, locked: false, prunable: false, bare: false },
    ]);
    expect(await git.worktreeForBranch(repo, "flotilla/task-1")).toBe(path);
    expect(await git.worktreeForBranch(repo, "main")).toBe(repo);
    expect(await git.worktreeForBranch(repo, "nobody")).toBeUndefined();

    // A task leaves a commit, an edit, an untracked file and ignored files behind.
    await writeFiles(path, { "feature.ts": "export {};\n" });
    await git.commitAll(path, { message: "task work" });
    await writeFiles(path, {
      "README.md": "changed\n",
      "scratch.txt": "untracked\n",
      "debug.log": "ignored\n",
      "build/out.js": "ignored\n",
      "nested/deep/file.txt": "untracked\n",
    });
    await git.worktreeReset(path, base);
    expect(await git.revParse(path, "HEAD")).toBe(base);
    expect(await readText(path, "README.md")).toBe("# test\n");
    for (const gone of ["feature.ts", "scratch.txt", "debug.log", "build", "nested"])
      expect(existsSync(join(path, gone))).toBe(false);
    expect(await git.status(path)).toEqual([]);

    await writeFiles(path, { "dirty.txt": "x\n" });
    await expect(git.worktreeRemove(repo, path)).rejects.toThrow(FlotillaError);
    await git.worktreeRemove(repo, path, { force: true });
    expect(existsSync(path)).toBe(false);
    expect((await git.worktreeList(repo)).map((w) => w.path)).toEqual([repo]);
    // Removing again is not an error.
    await git.worktreeRemove(repo, path);
  });

  it("checks out an existing branch as it is, keeping its commits", async () => {
    const repo = await createRepo(git, sandbox);
    const first = join(await sandbox.newDir("wt"), "a");
    await git.worktreeAdd(repo, { path: first, branch: "resume", base: "main" });
    await writeFiles(first, { "progress.txt": "step 1\n" });
    const done = await git.commitAll(first, { message: "step 1" });
    await git.worktreeRemove(repo, first);

    await writeFiles(repo, { "main-only.txt": "later on main\n" });
    await git.commitAll(repo, { message: "main moves on" });
    const second = join(await sandbox.newDir("wt"), "b");
    const resumed = await git.worktreeAdd(repo, { path: second, branch: "resume", base: "main" });
    expect(resumed.createdBranch).toBe(false);
    expect(resumed.head).toBe(done!.commit);
    expect(await readText(second, "progress.txt")).toBe("step 1\n");
    expect(existsSync(join(second, "main-only.txt"))).toBe(false);
  });

  it("refuses a branch already checked out elsewhere", async () => {
    const repo = await createRepo(git, sandbox);
    const path = join(await sandbox.newDir("wt"), "main-again");
    await expect(git.worktreeAdd(repo, { path, branch: "main", base: "main" })).rejects.toMatchObject({
      code: "git_failed",
    });
  });

  it("prunes worktrees whose directory is gone", async () => {
    const repo = await createRepo(git, sandbox);
    const path = join(await sandbox.newDir("wt"), "lost");
    await git.worktreeAdd(repo, { path, branch: "lost", base: "main" });
    await rm(path, { recursive: true, force: true });
    expect((await git.worktreeList(repo))[1]).toMatchObject({ path, prunable: true });
    expect(await git.worktreeForBranch(repo, "lost")).toBeUndefined();
    await git.worktreePrune(repo);
    expect(await git.worktreeList(repo)).toHaveLength(1);
    expect(await git.deleteBranch(repo, "lost", { force: true })).toBe(true);
  });

  it("resets a worktree left in a stopped rebase", async () => {
    const repo = await createRepo(git, sandbox, { "f.txt": "base\n" });
    const base = await git.revParse(repo, "HEAD");
    const path = join(await sandbox.newDir("wt"), "stuck");
    await git.worktreeAdd(repo, { path, branch: "stuck", base: "main" });
    await writeFiles(path, { "f.txt": "task\n" });
    await git.commitAll(path, { message: "task" });
    await writeFiles(repo, { "f.txt": "main\n" });
    await git.commitAll(repo, { message: "main" });
    await expect(rawGit(path, ["-c", "user.name=u", "-c", "user.email=u@x", "rebase", "main"])).rejects.toThrow();

    await git.worktreeReset(path, base);
    expect(await git.revParse(path, "HEAD")).toBe(base);
    expect(await readText(path, "f.txt")).toBe("base\n");
    expect(await git.status(path)).toEqual([]);
    expect(await git.rebase(path, "main")).toMatchObject({ ok: true });
  });

  it("never resets the main checkout", async () => {
    const repo = await createRepo(git, sandbox);
    await writeFiles(repo, { "precious.txt": "user work\n" });
    await expect(git.worktreeReset(repo, "HEAD")).rejects.toMatchObject({ code: "invalid_input" });
    expect(await readText(repo, "precious.txt")).toBe("user work\n");
  });
});

describe("worktrees created at the same time", () => {
  it("adds many worktrees of one repository at once, one `worktree add` after another", async () => {
    const adds: { start: number; end: number }[] = [];
    const watched = createGit({
      onCommand: ({ args, durationMs }) => {
        const end = Date.now();
        if (args[0] === "worktree" && args[1] === "add") adds.push({ start: end - durationMs, end });
      },
    });
    const repo = await createRepo(git, sandbox);
    const base = await git.revParse(repo, "HEAD");
    const root = await sandbox.newDir("wt");
    const names = Array.from({ length: 10 }, (_, i) => `together-${String(i)}`);
    const added = await Promise.all(
      names.map((name) =>
        watched.worktreeAdd(repo, { path: join(root, name), branch: `flotilla/${name}`, base: "main" }),
      ),
    );
    // None ran while another was writing its admin files (what made a parallel add fail).
    adds.sort((a, b) => a.start - b.start);
    expect(adds).toHaveLength(names.length);
    for (let i = 1; i < adds.length; i += 1) expect(adds[i]!.start).toBeGreaterThanOrEqual(adds[i - 1]!.end - 1);
    expect(added.map((a) => [a.branch, a.head, a.createdBranch])).toEqual(
      names.map((name) => [`flotilla/${name}`, base, true]),
    );
    expect((await git.worktreeList(repo)).map((w) => w.branch).sort()).toEqual(
      ["main", ...names.map((n) => `flotilla/${n}`)].sort(),
    );
  });

  it("repeats a command that met another process's half-written worktree, once it is whole", async () => {
    const repo = await createRepo(git, sandbox);
    // What `git worktree add` in another process leaves for a moment: gitdir written, commondir still empty.
    const admin = join(repo, ".git", "worktrees", "being-added");
    await mkdir(admin, { recursive: true });
    await writeFile(join(admin, "gitdir"), `${join(await sandbox.newDir("elsewhere"), "being-added")}/.git\n`);
    await writeFile(join(admin, "commondir"), "");
    await expect(rawGit(repo, ["worktree", "list"])).rejects.toThrow(/failed to read .*commondir/);

    const finished = setTimeout(() => void writeFile(join(admin, "commondir"), "../..\n"), 60);
    try {
      const listed = await git.worktreeList(repo);
      expect(listed.map((w) => w.path)).toContain(repo);
    } finally {
      clearTimeout(finished);
    }
  });

  it("still fails, naming the file, when the worktree stays half-written", async () => {
    const repo = await createRepo(git, sandbox);
    const admin = join(repo, ".git", "worktrees", "broken");
    await mkdir(admin, { recursive: true });
    await writeFile(join(admin, "gitdir"), `${join(await sandbox.newDir("elsewhere"), "broken")}/.git\n`);
    await writeFile(join(admin, "commondir"), "");
    await expect(git.worktreeList(repo)).rejects.toMatchObject({
      code: "git_failed",
      message: expect.stringMatching(/worktrees\/broken\/commondir/),
    });
  });
});
