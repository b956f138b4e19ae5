import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FlotillaError } from "@flotilla/protocol";
import { runCommand } from "../process/index.js";
import { gitEnvironment } from "./git-env.js";
import { assertBranchName, createGit, type GitCommandEvent } from "./index.js";
import { createRepo, createSandbox, rawGit, writeFiles, type Sandbox } from "./test-repo.js";

const commands: GitCommandEvent[] = [];
const git = createGit({ onCommand: (event) => commands.push(event) });
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(async () => {
  await sandbox.cleanup();
});
afterEach(() => {
  delete process.env.GIT_DIR;
  delete process.env.GIT_WORK_TREE;
  delete process.env.GIT_INDEX_FILE;
});

describe("hostile input never reaches git", () => {
  const evil = ["--help", "-D", "--upload-pack=touch pwned", "-", "main\n--force", "a\0b", "tab\tname", "esc\x1b"];

  it.each(evil)("refuses %j before running any git command", async (value) => {
    const repo = await createRepo(git, sandbox);
    const path = join(repo, "..", "wt");
    const calls: Array<() => Promise<unknown>> = [
      () => git.branchExists(repo, value),
      () => git.createBranch(repo, value, "main"),
      () => git.createBranch(repo, "ok", value),
      () => git.deleteBranch(repo, value, { force: true }),
      () => git.listBranches(repo, value),
      () => git.revParse(repo, value),
      () => git.tryRevParse(repo, value),
      () => git.isAncestor(repo, value, "main"),
      () => git.commitsBetween(repo, "main", value),
      () => git.worktreeAdd(repo, { path, branch: value, base: "main" }),
      () => git.worktreeAdd(repo, { path, branch: "ok", base: value }),
      () => git.worktreeAdd(repo, { path: value, branch: "ok", base: "main" }),
      () => git.worktreeRemove(repo, value, { force: true }),
      () => git.worktreeReset(value, "main"),
      () => git.worktreeForBranch(repo, value),
      () => git.changedFiles(repo, value, "main"),
      () => git.diff(repo, "main", value),
      () => git.trailers(repo, value),
      () => git.rebase(repo, value),
      () => git.fastForward(repo, { branch: value, to: "main" }),
      () => git.fastForward(repo, { branch: "main", to: value }),
      () => git.topLevel(value),
      () => git.status(value),
    ];
    commands.length = 0;
    for (const call of calls) {
      await expect(call()).rejects.toSatisfy((e: unknown) => e instanceof FlotillaError && e.code === "invalid_input");
    }
    expect(commands).toEqual([]);
    expect(await git.branchExists(repo, "main")).toBe(true);
    expect(existsSync(join(repo, "pwned"))).toBe(false);
  });

  it("refuses relative directories without running git", async () => {
    commands.length = 0;
    await expect(git.status("relative/dir")).rejects.toMatchObject({ code: "invalid_input" });
    expect(commands).toEqual([]);
  });
});

describe("shell syntax is data", () => {
  it("passes branch names full of shell metacharacters to git verbatim", async () => {
    const repo = await createRepo(git, sandbox);
    const branch = "$(touch${IFS}pwned);x|y&z`touch${IFS}pwned2`>out";
    const path = join(await sandbox.newDir("wt"), "$(touch pwned3) ; rm -rf x");
    await git.worktreeAdd(repo, { path, branch, base: "main" });
    await writeFiles(path, { "f.txt": "f\n" });
    const commit = await git.commitAll(path, {
      message: "$(touch pwned4); rm -rf /",
      trailers: { "Flotilla-Task": "`id`" },
    });
    expect(await git.listBranches(repo, "$(")).toEqual([{ name: branch, commit: commit!.commit }]);
    expect(await git.fastForward(repo, { branch: "main", to: branch })).toMatchObject({ ok: true });
    expect((await rawGit(repo, ["log", "-1", "--format=%s"])).trim()).toBe("$(touch pwned4); rm -rf /");
    await git.worktreeRemove(repo, path);
    expect(await git.deleteBranch(repo, branch)).toBe(true);
    for (const dir of [repo, path, process.cwd()]) {
      for (const name of ["pwned", "pwned2", "pwned3", "pwned4", "out"])
        expect(existsSync(join(dir, name))).toBe(false);
    }
  });
});

describe("environment", () => {
  it("ignores GIT_DIR and friends inherited from a hook", async () => {
    const repo = await createRepo(git, sandbox);
    const other = await createRepo(git, sandbox, { "other.txt": "other\n" });
    process.env.GIT_DIR = join(other, ".git");
    process.env.GIT_WORK_TREE = other;
    process.env.GIT_INDEX_FILE = join(other, ".git", "index");
    expect(await git.topLevel(repo)).toBe(repo);
    await writeFiles(repo, { "mine.txt": "mine\n" });
    const commit = await git.commitAll(repo, { message: "in the right repo" });
    expect(commit!.files).toEqual(["mine.txt"]);
    expect(await git.tryRevParse(other, commit!.commit)).toBeUndefined();
  });

  it("runs git in the C locale without prompts", () => {
    process.env.GIT_DIR = "/somewhere";
    const env = gitEnvironment();
    expect(env.LC_ALL).toBe("C");
    expect(env.GIT_TERMINAL_PROMPT).toBe("0");
    expect(env.GIT_DIR).toBeUndefined();
  });
});

describe("branch name rules agree with git check-ref-format --branch", () => {
  const names = [
    "main",
    "a/b",
    "a..b",
    "a b",
    "a.lock",
    "a/.b",
    "a@{0}",
    "a//b",
    "a/",
    "a.",
    "x@y",
    "ü-branch",
    "a^b",
    "a~b",
    "a:b",
  ];
  it.each(names)("%j", async (name) => {
    const result = await runCommand("git", ["check-ref-format", "--branch", name], { cwd: "/", env: gitEnvironment() });
    let ours = true;
    try {
      assertBranchName("branch", name);
    } catch {
      ours = false;
    }
    expect(ours).toBe(result.code === 0);
  });
});
