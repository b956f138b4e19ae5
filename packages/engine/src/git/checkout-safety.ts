import { lstat, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { status } from "./commits.js";
import { addedFiles, changedFiles } from "./diffs.js";
import type { GitRunner } from "./git-runner.js";

/**
 * The files in `checkout` that moving its HEAD from `from` to `to` could overwrite or lose:
 * files the move changes that hold uncommitted changes (staged, modified, untracked) or that
 * block a file the move adds (an untracked or ignored file or directory in its place).
 */
export async function filesInTheWay(git: GitRunner, checkout: string, from: string, to: string): Promise<string[]> {
  const changed = await changedFiles(git, checkout, from, to);
  if (changed.length === 0) return [];
  const changedSet = new Set(changed);
  const changedDirs = new Set(changed.flatMap(parentDirs));
  const touches = (path: string) =>
    changedSet.has(path) || changedDirs.has(path) || parentDirs(path).some((dir) => changedSet.has(dir));

  const inTheWay = new Set<string>();
  for (const entry of await status(git, checkout)) {
    for (const path of [entry.path, entry.origPath]) {
      if (path !== undefined && touches(path.replace(/\/$/, ""))) inTheWay.add(path);
    }
  }
  // Ignored files do not show in status, and git overwrites them without asking.
  for (const path of await addedFiles(git, checkout, from, to)) {
    if (await occupied(join(checkout, path))) inTheWay.add(path);
  }
  return [...inTheWay].sort();
}

function parentDirs(path: string): string[] {
  const parts = path.split("/");
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join("/"));
}

/** Whether something exists at `path`, or a parent of it is not a directory. */
async function occupied(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOTDIR";
  }
}

/**
 * A worktree in the middle of rebasing or bisecting `branch` (its HEAD is then detached, so
 * `worktree list` does not show the branch): the branch must not be moved under it.
 */
export async function branchBusyElsewhere(git: GitRunner, repo: string, branch: string): Promise<string | undefined> {
  const common = (await git.run(repo, ["rev-parse", "--path-format=absolute", "--git-common-dir"])).stdout.trim();
  const gitDirs = [common];
  const linked = await readdir(join(common, "worktrees")).catch(() => [] as string[]);
  for (const name of linked) gitDirs.push(join(common, "worktrees", name));
  for (const gitDir of gitDirs) {
    for (const [file, value] of [
      ["rebase-merge/head-name", `refs/heads/${branch}`],
      ["rebase-apply/head-name", `refs/heads/${branch}`],
      ["BISECT_START", branch],
    ] as const) {
      const content = await readFile(join(gitDir, file), "utf8").catch(() => undefined);
      if (content?.trim() === value) return `${file.split("/")[0] ?? file} in progress (${gitDir})`;
    }
  }
  return undefined;
}
