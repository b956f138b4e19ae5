import { existsSync, realpathSync } from "node:fs";
import { appendFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";

/** A step that cannot be carried out: the turn fails with this message. */
export class StepFailure extends Error {
  override readonly name = "StepFailure";
}

/**
 * Resolves a script path inside the worktree. Refuses absolute paths, paths that climb out
 * with `..`, and paths that leave through a symlink (checked on the nearest existing ancestor).
 */
export function resolveInside(cwd: string, path: string): string {
  if (isAbsolute(path)) throw new StepFailure(`refusing absolute path ${path}: paths are relative to the worktree`);
  const root = resolve(cwd);
  const target = resolve(root, path);
  if (!isWithin(root, target) || target === root)
    throw new StepFailure(`refusing path ${path}: it escapes the worktree`);
  let existing = target;
  while (!existsSync(existing) && existing !== root) existing = dirname(existing);
  if (!isWithin(realpathSync(root), realpathSync(existing))) {
    throw new StepFailure(`refusing path ${path}: it leaves the worktree through a symlink`);
  }
  return target;
}

function isWithin(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

export async function writeStep(cwd: string, path: string, content: string): Promise<void> {
  const target = resolveInside(cwd, path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, content);
}

export async function appendStep(cwd: string, path: string, content: string): Promise<void> {
  const target = resolveInside(cwd, path);
  await mkdir(dirname(target), { recursive: true });
  await appendFile(target, content);
}

export async function replaceStep(
  cwd: string,
  path: string,
  find: string,
  replacement: string,
  all: boolean,
): Promise<void> {
  const target = resolveInside(cwd, path);
  let text: string;
  try {
    text = await readFile(target, "utf8");
  } catch {
    throw new StepFailure(`cannot replace in ${path}: no such file`);
  }
  if (!text.includes(find)) throw new StepFailure(`cannot replace in ${path}: text not found: ${JSON.stringify(find)}`);
  // A function replacement keeps `$&` and friends literal.
  const next = all ? text.split(find).join(replacement) : text.replace(find, () => replacement);
  await writeFile(target, next);
}

export async function deleteStep(cwd: string, path: string): Promise<void> {
  const target = resolveInside(cwd, path);
  if (!existsSync(target)) throw new StepFailure(`cannot delete ${path}: no such file`);
  await rm(target, { recursive: true });
}
