import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGit, type GitCommandEvent } from "./index.js";
import { createRepo, createSandbox, rawGit, writeFiles, type Sandbox } from "./test-repo.js";

const commands: GitCommandEvent[] = [];
const git = createGit({ onCommand: (e) => commands.push(e) });
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(async () => {
  await sandbox.cleanup();
});

/** main + a task branch (made without a worktree: by commits on a side branch in the repo), main moved on. */
async function diverged(taskFiles: Record<string, string>, mainFiles: Record<string, string>) {
  const repo = await createRepo(git, sandbox, { "shared.txt": "line 1\nline 2\nline 3\n" });
  await rawGit(repo, ["checkout", "-q", "-b", "task"]);
  await writeFiles(repo, taskFiles);
  await rawGit(repo, ["add", "-A"]);
  const message = "Task change\n\nWhy it matters.\n\nFlotilla-Task: t1\nFlotilla-Run: run_1\n";
  await writeFile(join(repo, ".git", "MSG"), message);
  await rawGit(repo, [
    "-c",
    "user.name=Committer",
    "-c",
    "user.email=c@example.com",
    "commit",
    "-q",
    "--cleanup=verbatim",
    "--author=Ada Lovelace <ada@example.com>",
    "--date=2001-02-03T04:05:06+0100",
    "-F",
    join(repo, ".git", "MSG"),
  ]);
  const task = (await rawGit(repo, ["rev-parse", "HEAD"])).trim();
  await rawGit(repo, ["checkout", "-q", "main"]);
  await writeFiles(repo, mainFiles);
  await git.commitAll(repo, { message: "main change" });
  return { repo, task, message };
}

describe("replayCommit (merge-tree, no worktree)", () => {
  it("cherry-picks onto the new tip, keeping the author line, message and trailers byte for byte", async () => {
    const { repo, task, message } = await diverged({ "task.txt": "task\n" }, { "main.txt": "main\n" });
    const main = await git.revParse(repo, "main");
    const statusBefore = await git.status(repo);
    commands.length = 0;
    const result = await git.replayCommit(repo, task, main);
    expect(result).toMatchObject({ ok: true, empty: false });
    if (!result.ok) return;
    expect(result.commit).not.toBe(task);
    expect((await rawGit(repo, ["rev-parse", `${result.commit}^`])).trim()).toBe(main);
    const format = "%an|%ae|%ad|%B";
    const show = (c: string) => rawGit(repo, ["log", "-1", "--date=raw", `--format=${format}`, c]);
    expect(await show(result.commit)).toBe(await show(task));
    const rawMessage = async (c: string) => {
      const file = join(await sandbox.newDir("msg"), "m");
      await rawGit(repo, ["log", "-1", "--pretty=format:%B", `--output=${file}`, c]);
      return readFile(file, "utf8");
    };
    expect(await rawMessage(result.commit)).toBe(message);
    expect(await rawMessage(task)).toBe(message);
    expect(await git.trailers(repo, result.commit)).toEqual({ "Flotilla-Task": "t1", "Flotilla-Run": "run_1" });
    expect((await rawGit(repo, ["ls-tree", "--name-only", result.commit])).split("\n")).toEqual(
      expect.arrayContaining(["main.txt", "task.txt", "shared.txt"]),
    );
    // Nothing moved and nothing was checked out.
    expect(await git.revParse(repo, "main")).toBe(main);
    expect(await git.status(repo)).toEqual(statusBefore);
    const touching = ["worktree", "checkout", "switch", "rebase", "reset", "read-tree", "update-ref", "merge"];
    expect(commands.filter((c) => c.args.some((a) => touching.includes(a)))).toEqual([]);
  });

  it("returns the commit itself when its parent already is the tip", async () => {
    const { repo, task } = await diverged({ "task.txt": "task\n" }, {});
    const parent = (await rawGit(repo, ["rev-parse", `${task}^`])).trim();
    expect(await git.replayCommit(repo, task, parent)).toEqual({ ok: true, commit: task, empty: false });
  });

  it("reports the conflicted files and writes nothing reachable", async () => {
    const { repo, task } = await diverged(
      { "shared.txt": "line 1\ntask's line 2\nline 3\n", "other.txt": "x\n" },
      { "shared.txt": "line 1\nmain's line 2\nline 3\n" },
    );
    const main = await git.revParse(repo, "main");
    const result = await git.replayCommit(repo, task, main);
    expect(result).toMatchObject({ ok: false, conflicts: ["shared.txt"] });
    expect(await git.revParse(repo, "main")).toBe(main);
  });

  it("drops a change the tip already holds (empty) and finds the landed equivalent by patch-id", async () => {
    const { repo, task } = await diverged({ "task.txt": "task\n" }, { "main.txt": "main\n" });
    const replayed = await git.replayCommit(repo, task, "main");
    if (!replayed.ok) throw new Error("expected a clean replay");
    expect(await git.findLandedEquivalent(repo, task, "main")).toBeUndefined();
    await rawGit(repo, ["merge", "-q", "--ff-only", replayed.commit]);
    expect(await git.replayCommit(repo, task, "main")).toEqual({ ok: true, commit: replayed.commit, empty: true });
    expect(await git.findLandedEquivalent(repo, task, "main")).toBe(replayed.commit);
    expect(await git.findLandedEquivalent(repo, task, "main", { hint: "Flotilla-Task: t1" })).toBe(replayed.commit);
    expect(await git.findLandedEquivalent(repo, task, "main", { hint: "Flotilla-Task: other" })).toBeUndefined();
  });

  it("lists first-parent commits oldest first and the merge base", async () => {
    const { repo, task } = await diverged({ "task.txt": "task\n" }, { "main.txt": "main\n" });
    const base = await git.mergeBase(repo, task, "main");
    expect(base).toBe((await rawGit(repo, ["rev-parse", "main^"])).trim());
    expect(await git.firstParentCommits(repo, base ?? "", task)).toEqual([task]);
  });
});

describe("queue support", () => {
  it("adds a detached worktree and predicts a dirty fast-forward", async () => {
    const { repo, task } = await diverged({ "README.md": "changed by the task\n" }, {});
    const path = join(await sandbox.newDir("wt"), "queue");
    await git.worktreeAddDetached(repo, path, task);
    expect(await git.currentBranch(path)).toBeUndefined();
    expect(await git.revParse(path, "HEAD")).toBe(task);
    expect(await git.fastForwardBlockers(repo, { branch: "main", to: task })).toEqual([]);
    await writeFiles(repo, { "README.md": "uncommitted\n" });
    expect(await git.fastForwardBlockers(repo, { branch: "main", to: task })).toEqual(["README.md"]);
    expect(await git.fastForward(repo, { branch: "main", to: task })).toMatchObject({ ok: false, reason: "dirty" });
  });
});
