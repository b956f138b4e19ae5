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

/** The user's checkout on main, and a task branch one commit ahead that changes app.txt and adds new.txt. */
async function taskAhead() {
  const repo = await createRepo(git, sandbox, {
    "app.txt": "v1\n",
    "notes.txt": "notes\n",
    ".gitignore": "*.secret\n",
  });
  const worktree = join(await sandbox.newDir("wt"), "task");
  await git.worktreeAdd(repo, { path: worktree, branch: "flotilla/task", base: "main" });
  await writeFiles(worktree, { "app.txt": "v2\n", "new.txt": "new\n", "config.secret": "from task\n" });
  await rawGit(worktree, ["add", "-f", "config.secret"]);
  const task = (await git.commitAll(worktree, { message: "task" }))!.commit;
  const main = await git.revParse(repo, "main");
  return { repo, worktree, task, main };
}

describe("fastForward", () => {
  it("moves a branch that is not checked out with a compare-and-swap", async () => {
    const { repo, task, main } = await taskAhead();
    await git.createBranch(repo, "release", "main");
    const result = await git.fastForward(repo, { branch: "release", to: "flotilla/task" });
    expect(result).toEqual({ ok: true, from: main, to: task });
    expect(await git.revParse(repo, "release")).toBe(task);
    expect(await git.revParse(repo, "main")).toBe(main);
    expect(await git.fastForward(repo, { branch: "release", to: task })).toEqual({ ok: true, from: task, to: task });
  });

  it("updates the user's checkout and keeps unrelated uncommitted work", async () => {
    const { repo, task, main } = await taskAhead();
    await writeFiles(repo, {
      "notes.txt": "user is editing\n",
      "scratch.txt": "untracked\n",
      "user.secret": "ignored\n",
    });
    await writeFiles(repo, { "staged.txt": "staged\n" });
    await rawGit(repo, ["add", "staged.txt"]);

    const result = await git.fastForward(repo, { branch: "main", to: task });
    expect(result).toEqual({ ok: true, from: main, to: task });
    expect(await git.revParse(repo, "HEAD")).toBe(task);
    expect(await git.currentBranch(repo)).toBe("main");
    expect(await readText(repo, "app.txt")).toBe("v2\n");
    expect(await readText(repo, "new.txt")).toBe("new\n");
    expect(await readText(repo, "notes.txt")).toBe("user is editing\n");
    expect(await readText(repo, "scratch.txt")).toBe("untracked\n");
    expect(await readText(repo, "user.secret")).toBe("ignored\n");
    expect(await git.status(repo)).toEqual(
      expect.arrayContaining([
        { path: "notes.txt", index: " ", worktree: "M" },
        { path: "staged.txt", index: "A", worktree: " " },
        { path: "scratch.txt", index: "?", worktree: "?" },
      ]),
    );
  });

  it.each([
    ["a modified file", { "app.txt": "user edit\n" }, false, ["app.txt"]],
    ["a staged file", { "app.txt": "user staged\n" }, true, ["app.txt"]],
    ["an untracked file in the way", { "new.txt": "user's own new.txt\n" }, false, ["new.txt"]],
    ["an ignored file in the way", { "config.secret": "user's secret\n" }, false, ["config.secret"]],
    ["an untracked directory in the way", { "new.txt/inner": "x\n" }, false, ["new.txt", "new.txt/inner"]],
  ])("refuses as dirty with %s, touching nothing", async (_what, files: Record<string, string>, stage, expected) => {
    const { repo, task, main } = await taskAhead();
    await writeFiles(repo, files);
    if (stage) await rawGit(repo, ["add", "--", ...Object.keys(files)]);
    const statusBefore = await git.status(repo);

    const result = await git.fastForward(repo, { branch: "main", to: task });
    expect(result).toMatchObject({ ok: false, reason: "dirty", files: expected });
    expect(await git.revParse(repo, "HEAD")).toBe(main);
    expect(await git.revParse(repo, "main")).toBe(main);
    for (const [path, content] of Object.entries(files)) expect(await readText(repo, path)).toBe(content);
    expect(await git.status(repo)).toEqual(statusBefore);
  });

  it("refuses what is not a fast-forward, moving nothing", async () => {
    const { repo, worktree, task, main } = await taskAhead();
    await writeFiles(repo, { "other.txt": "main moved\n" });
    const moved = (await git.commitAll(repo, { message: "main moved" }))!.commit;
    const result = await git.fastForward(repo, { branch: "main", to: task });
    expect(result).toMatchObject({ ok: false, reason: "not_fast_forward", files: [] });
    expect(await git.revParse(repo, "main")).toBe(moved);

    await git.createBranch(repo, "old", main);
    await git.worktreeRemove(repo, worktree);
    // Backwards is not a fast-forward either, checked out or not.
    expect(await git.fastForward(repo, { branch: "flotilla/task", to: "old" })).toMatchObject({
      reason: "not_fast_forward",
    });
    expect(await git.revParse(repo, "flotilla/task")).toBe(task);
  });

  it("refuses to move a branch that is being rebased in a worktree", async () => {
    const { repo, task, main } = await taskAhead();
    const path = join(await sandbox.newDir("wt"), "busy");
    await git.worktreeAdd(repo, { path, branch: "busy", base: "main" });
    await writeFiles(path, { "app.txt": "busy edit\n" });
    await git.commitAll(path, { message: "busy work" });
    // A rebase that stops on a conflict and stays in progress: the worktree's HEAD is detached.
    await expect(rawGit(path, ["-c", "user.name=u", "-c", "user.email=u@x", "rebase", task])).rejects.toThrow();
    expect(await git.currentBranch(path)).toBeUndefined();
    expect(await git.worktreeForBranch(repo, "busy")).toBeUndefined();
    // Make the move a fast-forward, so only the rebase in progress stands in the way.
    await rawGit(repo, ["update-ref", "refs/heads/busy", main]);

    const result = await git.fastForward(repo, { branch: "busy", to: task });
    expect(result).toMatchObject({ ok: false, reason: "dirty", files: [] });
    expect(await git.revParse(repo, "busy")).toBe(main);
  });
});
