import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

/** A repository with a task worktree branched from main, and main moved on meanwhile. */
async function diverged(taskFiles: Record<string, string>, mainFiles: Record<string, string>) {
  const repo = await createRepo(git, sandbox, { "shared.txt": "line 1\nline 2\nline 3\n" });
  const worktree = join(await sandbox.newDir("wt"), "task");
  await git.worktreeAdd(repo, { path: worktree, branch: "flotilla/task", base: "main" });
  await writeFiles(worktree, taskFiles);
  await git.commitAll(worktree, { message: "task change", trailers: { "Flotilla-Task": "task" } });
  await writeFiles(repo, mainFiles);
  await git.commitAll(repo, { message: "main change" });
  return { repo, worktree };
}

describe("rebase", () => {
  it("replays the task's commits onto the new main (with no identity configured)", async () => {
    const { repo, worktree } = await diverged({ "task.txt": "task\n" }, { "main.txt": "main\n" });
    const main = await git.revParse(repo, "main");
    const result = await git.rebase(worktree, "main");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.head).toBe(await git.revParse(worktree, "HEAD"));
    expect(await git.revParse(worktree, "HEAD~1")).toBe(main);
    expect(await git.currentBranch(worktree)).toBe("flotilla/task");
    expect(await readText(worktree, "main.txt")).toBe("main\n");
    expect(await readText(worktree, "task.txt")).toBe("task\n");
    expect(await git.trailers(worktree, "HEAD")).toEqual({ "Flotilla-Task": "task" });
    expect(await git.isAncestor(repo, "main", "flotilla/task")).toBe(true);
  });

  it("is a no-op success when already on top", async () => {
    const { worktree } = await diverged({ "task.txt": "task\n" }, { "main.txt": "main\n" });
    const first = await git.rebase(worktree, "main");
    const second = await git.rebase(worktree, "main");
    expect(second).toEqual(first);
  });

  it("reports conflicts, aborts, and leaves the worktree exactly as before", async () => {
    const { repo, worktree } = await diverged(
      { "shared.txt": "line 1\ntask's line 2\nline 3\n", "task-only.txt": "mine\n" },
      { "shared.txt": "line 1\nmain's line 2\nline 3\n" },
    );
    await writeFiles(worktree, { "untracked-note.txt": "kept\n" });
    const headBefore = await git.revParse(worktree, "HEAD");
    const mainBefore = await git.revParse(repo, "main");

    const result = await git.rebase(worktree, "main");
    expect(result).toMatchObject({ ok: false, conflicts: ["shared.txt"] });
    if (result.ok) return;
    expect(result.message).toMatch(/CONFLICT|could not apply/);

    expect(await git.revParse(worktree, "HEAD")).toBe(headBefore);
    expect(await git.currentBranch(worktree)).toBe("flotilla/task");
    expect(await git.revParse(repo, "main")).toBe(mainBefore);
    expect(await readText(worktree, "shared.txt")).toBe("line 1\ntask's line 2\nline 3\n");
    expect(await readText(worktree, "untracked-note.txt")).toBe("kept\n");
    expect(await git.status(worktree)).toEqual([{ path: "untracked-note.txt", index: "?", worktree: "?" }]);
    const gitDir = (await rawGit(worktree, ["rev-parse", "--absolute-git-dir"])).trim();
    expect(existsSync(join(gitDir, "rebase-merge"))).toBe(false);
  });

  it("throws, rather than reporting a conflict, when git refuses to start", async () => {
    const { worktree } = await diverged({ "task.txt": "task\n" }, { "main.txt": "main\n" });
    await writeFiles(worktree, { "task.txt": "uncommitted\n" });
    await expect(git.rebase(worktree, "main")).rejects.toMatchObject({ code: "git_failed" });
    expect(await readText(worktree, "task.txt")).toBe("uncommitted\n");
  });
});
