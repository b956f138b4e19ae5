import { stat } from "node:fs/promises";
import { FlotillaError } from "@flotilla/protocol";
import { gitFailed, type GitRunner } from "./git-runner.js";
import { assertAbsoluteDir, assertBranchName, assertSafeRef } from "./validate.js";

/** Top of the work tree holding `dir` (symlinks resolved, as git reports it). */
export async function topLevel(git: GitRunner, dir: string): Promise<string> {
  assertAbsoluteDir("directory", dir);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new FlotillaError("invalid_input", `no such directory: ${dir}`, { dir });
  const args = ["rev-parse", "--show-toplevel"];
  const result = await git.run(dir, args, { allowExitCodes: [128] });
  if (result.exitCode === 0) return result.stdout.trim();
  if (/not a git repository|must be run in a work tree/i.test(result.stderr)) {
    throw new FlotillaError("invalid_input", `not a git repository: ${dir}`, { dir });
  }
  throw gitFailed(args, dir, result.exitCode, result.stderr, result.stderr.trim());
}

/** `git init`, optionally naming the first branch. */
export async function init(git: GitRunner, dir: string, initialBranch?: string): Promise<void> {
  assertAbsoluteDir("directory", dir);
  if (initialBranch !== undefined) assertBranchName("initial branch", initialBranch);
  const branchArgs = initialBranch === undefined ? [] : [`--initial-branch=${initialBranch}`];
  await git.run(dir, ["init", "--quiet", ...branchArgs]);
}

/** The checked-out branch (without `refs/heads/`), or undefined on a detached HEAD. */
export async function currentBranch(git: GitRunner, dir: string): Promise<string | undefined> {
  assertAbsoluteDir("directory", dir);
  const result = await git.run(dir, ["symbolic-ref", "--quiet", "HEAD"], { allowExitCodes: [1] });
  const ref = result.stdout.trim();
  if (result.exitCode !== 0 || !ref.startsWith("refs/heads/")) return undefined;
  return ref.slice("refs/heads/".length);
}

/** The full sha of the commit `rev` names; throws git_failed when it names none. */
export async function revParse(git: GitRunner, dir: string, rev: string): Promise<string> {
  assertAbsoluteDir("directory", dir);
  assertSafeRef("revision", rev);
  const result = await git.run(dir, ["rev-parse", "--verify", "--end-of-options", `${rev}^{commit}`]);
  return result.stdout.trim();
}

/** Like revParse, but undefined when `rev` names no commit. */
export async function tryRevParse(git: GitRunner, dir: string, rev: string): Promise<string | undefined> {
  assertAbsoluteDir("directory", dir);
  assertSafeRef("revision", rev);
  const result = await git.run(dir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`], {
    allowExitCodes: [1],
  });
  return result.exitCode === 0 ? result.stdout.trim() : undefined;
}

/** Whether `ancestor` is `descendant` or one of its ancestors. */
export async function isAncestor(git: GitRunner, dir: string, ancestor: string, descendant: string): Promise<boolean> {
  assertAbsoluteDir("directory", dir);
  assertSafeRef("ancestor", ancestor);
  assertSafeRef("descendant", descendant);
  const result = await git.run(dir, ["merge-base", "--is-ancestor", ancestor, descendant], { allowExitCodes: [1] });
  return result.exitCode === 0;
}

/** The commits reachable from `to` but not from `from`, oldest first. */
export async function commitsBetween(git: GitRunner, dir: string, from: string, to: string): Promise<string[]> {
  assertAbsoluteDir("directory", dir);
  assertSafeRef("from", from);
  assertSafeRef("to", to);
  const result = await git.run(dir, ["rev-list", "--reverse", "--end-of-options", `${from}..${to}`, "--"]);
  return result.stdout.split("\n").filter((line) => line.length > 0);
}
