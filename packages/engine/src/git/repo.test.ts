import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlotillaError } from "@flotilla/protocol";
import { createGit } from "./index.js";
import { createRepo, createSandbox, rawGit, writeFiles, type Sandbox } from "./test-repo.js";

const git = createGit();
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(async () => {
  await sandbox.cleanup();
});

async function expectError(promise: Promise<unknown>, code: string, message: string | RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FlotillaError);
  expect((error as FlotillaError).code).toBe(code);
  expect((error as FlotillaError).message).toMatch(message);
}

describe("topLevel", () => {
  it("finds the top from the top and from a subdirectory", async () => {
    const repo = await createRepo(git, sandbox);
    await mkdir(join(repo, "a", "b"), { recursive: true });
    expect(await git.topLevel(repo)).toBe(repo);
    expect(await git.topLevel(join(repo, "a", "b"))).toBe(repo);
  });

  it("says when a directory is not a repository or does not exist", async () => {
    const plain = await sandbox.newDir("plain");
    await expectError(git.topLevel(plain), "invalid_input", `not a git repository: ${plain}`);
    const missing = join(plain, "missing");
    await expectError(git.topLevel(missing), "invalid_input", `no such directory: ${missing}`);
  });

  it("reports a missing directory as such from any other call", async () => {
    const missing = join(await sandbox.newDir(), "gone");
    await expectError(git.status(missing), "invalid_input", `no such directory: ${missing}`);
  });
});

describe("revisions", () => {
  it("resolves revisions, branches and ancestry", async () => {
    const repo = await createRepo(git, sandbox);
    const first = await git.revParse(repo, "HEAD");
    expect(first).toMatch(/^[0-9a-f]{40}$/);
    expect(await git.currentBranch(repo)).toBe("main");
    expect(await git.tryRevParse(repo, "no-such-branch")).toBeUndefined();
    await expectError(git.revParse(repo, "no-such-branch"), "git_failed", /^git rev-parse .* failed in /);

    await writeFiles(repo, { "a.txt": "a\n" });
    const second = (await git.commitAll(repo, { message: "second" }))!.commit;
    await writeFiles(repo, { "b.txt": "b\n" });
    const third = (await git.commitAll(repo, { message: "third" }))!.commit;
    expect(await git.commitsBetween(repo, first, "main")).toEqual([second, third]);
    expect(await git.commitsBetween(repo, third, first)).toEqual([]);
    expect(await git.isAncestor(repo, first, third)).toBe(true);
    expect(await git.isAncestor(repo, third, first)).toBe(false);

    await rawGit(repo, ["checkout", "--quiet", "--detach", second]);
    expect(await git.currentBranch(repo)).toBeUndefined();
  });

  it("carries the failure details in the error", async () => {
    const repo = await createRepo(git, sandbox);
    const error = await git.revParse(repo, "nope").then(
      () => expect.unreachable(),
      (e: unknown) => e as FlotillaError,
    );
    expect(error.data).toMatchObject({ dir: repo, exitCode: 128 });
    expect(error.data.args).toContain("nope^{commit}");
    expect(String(error.data.stderr)).toMatch(/fatal/);
  });
});

describe("branches", () => {
  it("creates, lists, finds and deletes branches", async () => {
    const repo = await createRepo(git, sandbox);
    const head = await git.revParse(repo, "HEAD");
    expect(await git.branchExists(repo, "flotilla/t1")).toBe(false);
    expect(await git.createBranch(repo, "flotilla/t1", "main")).toBe(head);
    await git.createBranch(repo, "flotilla/t2", head);
    await git.createBranch(repo, "other", head);
    expect(await git.branchExists(repo, "flotilla/t1")).toBe(true);
    expect(await git.listBranches(repo, "flotilla/")).toEqual([
      { name: "flotilla/t1", commit: head },
      { name: "flotilla/t2", commit: head },
    ]);
    expect((await git.listBranches(repo, "")).map((b) => b.name)).toEqual([
      "flotilla/t1",
      "flotilla/t2",
      "main",
      "other",
    ]);
    expect(await git.deleteBranch(repo, "flotilla/t1")).toBe(true);
    expect(await git.deleteBranch(repo, "flotilla/t1")).toBe(false);
    expect(await git.branchExists(repo, "flotilla/t1")).toBe(false);
  });

  it("deletes an unmerged branch only with force", async () => {
    const repo = await createRepo(git, sandbox);
    await rawGit(repo, ["checkout", "--quiet", "-b", "work"]);
    await writeFiles(repo, { "w.txt": "w\n" });
    await git.commitAll(repo, { message: "work" });
    await rawGit(repo, ["checkout", "--quiet", "main"]);
    await expectError(git.deleteBranch(repo, "work"), "git_failed", /not fully merged/);
    expect(await git.deleteBranch(repo, "work", { force: true })).toBe(true);
  });
});

describe("status, changedFiles and diff", () => {
  it("lists changes with odd names and renames exactly", async () => {
    const odd = ["with space.txt", 'quote".txt', "tab\there.txt", "é-unicode.txt", "x -> y.txt", "back\\slash.txt"];
    const repo = await createRepo(git, sandbox, { "old name.txt": "same content\n" });
    await writeFiles(repo, Object.fromEntries(odd.map((name) => [`dir/${name}`, name])));
    await rename(join(repo, "old name.txt"), join(repo, "new name.txt"));
    await rawGit(repo, ["add", "-A", "--", "old name.txt", "new name.txt"]);
    const entries = await git.status(repo);
    expect(entries).toContainEqual({ path: "new name.txt", origPath: "old name.txt", index: "R", worktree: " " });
    for (const name of odd) expect(entries).toContainEqual({ path: `dir/${name}`, index: "?", worktree: "?" });
    expect(entries).toHaveLength(odd.length + 1);

    const before = await git.revParse(repo, "HEAD");
    const commit = await git.commitAll(repo, { message: "odd names" });
    expect(commit!.files.sort()).toEqual(["new name.txt", "old name.txt", ...odd.map((n) => `dir/${n}`)].sort());
    expect((await git.changedFiles(repo, before, "HEAD")).sort()).toEqual(commit!.files.sort());
    expect(await git.status(repo)).toEqual([]);
  });

  it("returns the patch, cut at maxBytes", async () => {
    const repo = await createRepo(git, sandbox);
    const before = await git.revParse(repo, "HEAD");
    await writeFile(join(repo, "long.txt"), `${"x".repeat(200_000)}\n`);
    await git.commitAll(repo, { message: "long line" });
    const whole = await git.diff(repo, before, "HEAD");
    expect(whole).toContain("+++ b/long.txt");
    expect(whole).toContain("x".repeat(200_000));
    const cut = await git.diff(repo, before, "HEAD", { maxBytes: 100 });
    expect(cut.startsWith(whole.slice(0, 100))).toBe(true);
    expect(cut).toMatch(/…\[diff cut: 100 of \d+ bytes shown\]/);
  });
});
