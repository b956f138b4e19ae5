import { existsSync } from "node:fs";
import { chmod, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGit, FALLBACK_IDENTITY } from "./index.js";
import { createRepo, createSandbox, rawGit, writeFiles, type Sandbox } from "./test-repo.js";

const git = createGit();
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await createSandbox();
});
afterAll(async () => {
  await sandbox.cleanup();
});

describe("commitAll", () => {
  it("commits every change with real trailers", async () => {
    const repo = await createRepo(git, sandbox, { "gone.txt": "bye\n" });
    await writeFiles(repo, { "src/new.ts": "export const x = 1;\n", "README.md": "changed\n" });
    await rawGit(repo, ["rm", "--quiet", "gone.txt"]);

    const result = await git.commitAll(repo, {
      message: "Add x\n\nLonger body.",
      trailers: { "Flotilla-Task": "task_1", "Flotilla-Run": "run_abc" },
    });
    expect(result).toBeDefined();
    expect(result!.commit).toBe(await git.revParse(repo, "HEAD"));
    expect(result!.files.sort()).toEqual(["README.md", "gone.txt", "src/new.ts"]);

    expect(await git.trailers(repo, result!.commit)).toEqual({ "Flotilla-Task": "task_1", "Flotilla-Run": "run_abc" });
    const logged = await rawGit(repo, ["log", "-1", "--format=%(trailers:key=Flotilla-Task,valueonly)"]);
    expect(logged.trim()).toBe("task_1");
    const all = await rawGit(repo, ["log", "-1", "--format=%(trailers)"]);
    expect(all.trim()).toBe("Flotilla-Task: task_1\nFlotilla-Run: run_abc");
    const body = await rawGit(repo, ["log", "-1", "--format=%B"]);
    expect(body.trim()).toBe("Add x\n\nLonger body.\n\nFlotilla-Task: task_1\nFlotilla-Run: run_abc");
    expect(await git.status(repo)).toEqual([]);
  });

  it("returns undefined when there is nothing to commit", async () => {
    const repo = await createRepo(git, sandbox);
    const head = await git.revParse(repo, "HEAD");
    expect(await git.commitAll(repo, { message: "nothing", trailers: { "Flotilla-Task": "t" } })).toBeUndefined();
    expect(await git.revParse(repo, "HEAD")).toBe(head);
  });

  it("commits as Flotilla when no identity is configured, and as the user when one is", async () => {
    const repo = await createRepo(git, sandbox);
    await writeFiles(repo, { "a.txt": "a\n" });
    await git.commitAll(repo, { message: "anonymous" });
    const fallback = `${FALLBACK_IDENTITY.name} <${FALLBACK_IDENTITY.email}>`;
    expect((await rawGit(repo, ["log", "-1", "--format=%an <%ae>|%cn <%ce>"])).trim()).toBe(`${fallback}|${fallback}`);

    await rawGit(repo, ["config", "user.name", "Ada"]);
    await rawGit(repo, ["config", "user.email", "ada@example.com"]);
    await writeFiles(repo, { "b.txt": "b\n" });
    await git.commitAll(repo, { message: "named" });
    expect((await rawGit(repo, ["log", "-1", "--format=%an <%ae>"])).trim()).toBe("Ada <ada@example.com>");
  });

  it("does not run the repository's hooks", async () => {
    const repo = await createRepo(git, sandbox);
    await writeFiles(repo, { ".git/hooks/pre-commit": "#!/bin/sh\ntouch hook-ran\nexit 1\n" });
    await chmod(join(repo, ".git/hooks/pre-commit"), 0o755);
    await writeFiles(repo, { "c.txt": "c\n" });
    // The hook is live: a plain git commit runs it and is refused.
    await rawGit(repo, ["add", "c.txt"]);
    await expect(
      rawGit(repo, ["-c", "user.name=u", "-c", "user.email=u@x", "commit", "-qm", "plain"]),
    ).rejects.toThrow();
    expect(existsSync(join(repo, "hook-ran"))).toBe(true);
    await rm(join(repo, "hook-ran"));
    expect(await git.commitAll(repo, { message: "no hooks" })).toBeDefined();
    expect(existsSync(join(repo, "hook-ran"))).toBe(false);
  });

  it("stores a message full of shell syntax verbatim and never runs it", async () => {
    const repo = await createRepo(git, sandbox);
    const message = "$(touch pwned); rm -rf / `touch pwned2` && echo $HOME | cat > pwned3 # 'quoted' \"double\"";
    await writeFiles(repo, { "d.txt": "d\n" });
    const result = await git.commitAll(repo, { message, trailers: { "Flotilla-Task": "$(touch pwned4);|&" } });
    expect((await rawGit(repo, ["log", "-1", "--format=%s"])).trim()).toBe(message);
    expect(await git.trailers(repo, result!.commit)).toEqual({ "Flotilla-Task": "$(touch pwned4);|&" });
    for (const name of ["pwned", "pwned2", "pwned3", "pwned4"]) {
      expect(existsSync(join(repo, name))).toBe(false);
      expect(existsSync(join(process.cwd(), name))).toBe(false);
    }
  });
});
