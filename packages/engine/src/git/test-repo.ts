import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runCommand } from "../process/index.js";
import { gitEnvironment } from "./git-env.js";
import type { Git } from "./types.js";

/**
 * Helpers for the git module's tests: real repositories in temporary directories, with the
 * user's global and system git config (and identity) shut out, so the tests also prove that
 * Flotilla commits on a machine with no git identity.
 */

const IDENTITY_VARIABLES = [
  "GIT_AUTHOR_NAME",
  "GIT_AUTHOR_EMAIL",
  "GIT_COMMITTER_NAME",
  "GIT_COMMITTER_EMAIL",
  "EMAIL",
];

export interface Sandbox {
  /** A fresh directory (symlinks resolved) that `cleanup` removes. */
  newDir(name?: string): Promise<string>;
  cleanup(): Promise<void>;
}

/** Isolates git from the machine's config for the current test file; `cleanup` undoes it. */
export async function createSandbox(): Promise<Sandbox> {
  const root = await realpath(await mkdtemp(join(tmpdir(), "flotilla-git-test-")));
  const saved = new Map<string, string | undefined>();
  const setEnv = (name: string, value: string | undefined) => {
    if (!saved.has(name)) saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  await writeFile(join(root, "empty-gitconfig"), "");
  setEnv("GIT_CONFIG_GLOBAL", join(root, "empty-gitconfig"));
  setEnv("GIT_CONFIG_NOSYSTEM", "1");
  setEnv("GIT_CEILING_DIRECTORIES", root);
  for (const name of IDENTITY_VARIABLES) setEnv(name, undefined);
  let count = 0;
  return {
    async newDir(name = "dir") {
      const dir = join(root, `${name}-${++count}`);
      await mkdir(dir);
      return dir;
    },
    async cleanup() {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** A repository on `main` with one commit holding README.md. */
export async function createRepo(git: Git, sandbox: Sandbox, files: Record<string, string> = {}): Promise<string> {
  const dir = await sandbox.newDir("repo");
  await git.init(dir, { initialBranch: "main" });
  await writeFiles(dir, { "README.md": "# test\n", ...files });
  await git.commitAll(dir, { message: "initial" });
  return dir;
}

export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

export function readText(dir: string, path: string): Promise<string> {
  return readFile(join(dir, path), "utf8");
}

/** Runs git directly (for assertions independent of the module under test); throws on failure. */
export async function rawGit(dir: string, args: string[]): Promise<string> {
  const result = await runCommand("git", args, { cwd: dir, env: gitEnvironment() });
  if (result.code !== 0) throw new Error(`git ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}
