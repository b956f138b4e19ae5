import { rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

describe("worktreeFingerprint", () => {
  it("changes with any change to the work tree's content, not with committing it, and leaves the index alone", async () => {
    const repo = await createRepo(git, sandbox, { "a.txt": "a\n", ".gitignore": "build/\n" });
    const base = await git.revParse(repo, "HEAD");
    const clean = await git.worktreeFingerprint(repo, base);
    expect(await git.worktreeFingerprint(repo, base)).toBe(clean);

    // Ignored files are not part of the diff.
    await writeFiles(repo, { "build/out.js": "x\n" });
    expect(await git.worktreeFingerprint(repo, base)).toBe(clean);

    // An untracked file, then an unstaged edit: each a new fingerprint.
    await writeFiles(repo, { "new.txt": "n\n" });
    const untracked = await git.worktreeFingerprint(repo, base);
    expect(untracked).not.toBe(clean);
    await writeFiles(repo, { "a.txt": "a2\n" });
    const edited = await git.worktreeFingerprint(repo, base);
    expect(edited).not.toBe(untracked);
    // Nothing was staged by taking the fingerprint.
    expect(await rawGit(repo, ["diff", "--cached", "--name-only"])).toBe("");

    // Committing the same content does not change it; against the new commit as base, it is clean.
    await git.commitAll(repo, { message: "work", trailers: {} });
    expect(await git.worktreeFingerprint(repo, base)).toBe(edited);
    expect(await git.worktreeFingerprint(repo, await git.revParse(repo, "HEAD"))).toBe(clean);

    // Undoing the work brings the first fingerprint back.
    await writeFiles(repo, { "a.txt": "a\n" });
    await rm(join(repo, "new.txt"));
    expect(await git.worktreeFingerprint(repo, base)).toBe(clean);
  });
});
