import { identityConfigArgs, UNATTENDED_COMMIT_CONFIG, type GitRunner } from "./git-runner.js";
import { parseStatus } from "./porcelain.js";
import { parsePathLines, QUOTE_PATHS_CONFIG } from "./quoted-paths.js";
import { revParse } from "./repo-queries.js";
import type { CommitAllOptions, CommitResult, StatusEntry } from "./types.js";
import { assertAbsoluteDir, assertCommitMessage, assertTrailer } from "./validate.js";

/** Every change in the work tree, untracked files listed one by one; paths relative to its top. */
export async function status(git: GitRunner, dir: string): Promise<StatusEntry[]> {
  assertAbsoluteDir("directory", dir);
  const result = await git.run(dir, [...QUOTE_PATHS_CONFIG, "status", "--porcelain=v1", "--untracked-files=all"]);
  return parseStatus(result.stdout);
}

/**
 * Stages everything (`add -A`) and, when anything is staged, commits it with `trailers` as
 * real git trailers. Hooks do not run and nothing is signed; a machine with no git identity
 * commits as Flotilla. Returns undefined when there was nothing to commit.
 */
export async function commitAll(
  git: GitRunner,
  dir: string,
  options: CommitAllOptions,
): Promise<CommitResult | undefined> {
  assertAbsoluteDir("directory", dir);
  assertCommitMessage(options.message);
  const trailers = Object.entries(options.trailers ?? {});
  for (const [key, value] of trailers) assertTrailer(key, value);

  await git.run(dir, ["add", "-A"]);
  const staged = await git.run(dir, ["diff", "--cached", "--quiet", "--exit-code"], { allowExitCodes: [1] });
  if (staged.exitCode === 0) return undefined;

  const identity = await identityConfigArgs(git, dir);
  const trailerArgs = trailers.flatMap(([key, value]) => ["--trailer", `${key}=${value}`]);
  await git.run(dir, [
    ...identity,
    ...UNATTENDED_COMMIT_CONFIG,
    "commit",
    "--quiet",
    "--no-verify",
    `--message=${options.message}`,
    ...trailerArgs,
  ]);
  const commit = await revParse(git, dir, "HEAD");
  return { commit, files: await filesOfCommit(git, dir, commit) };
}

/** Every path `commit` adds, changes or deletes relative to its first parent (all, for a root commit). */
export async function filesOfCommit(git: GitRunner, dir: string, commit: string): Promise<string[]> {
  const result = await git.run(dir, [
    ...QUOTE_PATHS_CONFIG,
    "diff-tree",
    "--root",
    "--no-commit-id",
    "--name-only",
    "-r",
    "--no-renames",
    commit,
  ]);
  return parsePathLines(result.stdout);
}

/** The trailers of `commit` (`Flotilla-Task: task_1` → `{ "Flotilla-Task": "task_1" }`); a repeated key keeps its last value. */
export async function trailers(git: GitRunner, dir: string, commit: string): Promise<Record<string, string>> {
  const sha = await revParse(git, dir, commit);
  const result = await git.run(dir, [
    "-c",
    "log.showSignature=false",
    "log",
    "-1",
    "--format=%(trailers:only=true,unfold=true)",
    sha,
    "--",
  ]);
  const found: Record<string, string> = {};
  for (const line of result.stdout.split("\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    found[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return found;
}
