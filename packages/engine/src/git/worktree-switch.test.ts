import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGit } from "./index.js";
import { createRepo, createSandbox, readText, writeFiles, type Sandbox } from "./test-repo.js";

const git = createGit();
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(async () => {
  await sandbox.cleanup();
});

describe("worktree switching (for pooled worktrees)", () => {
  it("adds a detached worktree, switches it to a new or existing branch, and detaches it again", async () => {
    const repo = await createRepo(git, sandbox, { "f.txt": "base\n" });
    const base = await git.revParse(repo, "HEAD");
    const path = join(await sandbox.newDir("wt"), "spare");
    expect(await git.worktreeAddDetached(repo, path, "main")).toBe(base);
    expect(await git.currentBranch(path)).toBeUndefined();

    await writeFiles(path, { "f.txt": "local edit\n" });
    const created = await git.worktreeSwitch({ path, branch: "flotilla/a", base: "main" });
    expect(created).toEqual({ path, branch: "flotilla/a", head: base, createdBranch: true });
    expect(await readText(path, "f.txt")).toBe("base\n");

    await writeFiles(path, { "f.txt": "work\n" });
    const work = await git.commitAll(path, { message: "work" });
    expect(await git.worktreeDetach(path)).toBe(work?.commit);
    expect(await git.currentBranch(path)).toBeUndefined();
    // Free again: the branch can be checked out elsewhere or deleted.
    expect(await git.worktreeForBranch(repo, "flotilla/a")).toBeUndefined();

    await git.worktreeReset(path, base);
    const existing = await git.worktreeSwitch({ path, branch: "flotilla/a", base: "main" });
    expect(existing).toMatchObject({ createdBranch: false, head: work?.commit });
  });

  it("refuses the main checkout and a branch checked out elsewhere", async () => {
    const repo = await createRepo(git, sandbox);
    await expect(git.worktreeSwitch({ path: repo, branch: "x", base: "main" })).rejects.toMatchObject({
      code: "invalid_input",
    });
    await expect(git.worktreeDetach(repo)).rejects.toMatchObject({ code: "invalid_input" });
    const path = join(await sandbox.newDir("wt"), "spare");
    await git.worktreeAddDetached(repo, path, "main");
    await expect(git.worktreeSwitch({ path, branch: "main", base: "main" })).rejects.toMatchObject({
      code: "git_failed",
    });
    await expect(git.worktreeSwitch({ path, branch: "-x", base: "main" })).rejects.toMatchObject({
      code: "invalid_input",
    });
  });
});
