import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { FlotillaError, type Project } from "@flotilla/protocol";

/**
 * How a project ref and a directory pick a project, over a list of registered projects: the
 * engine's registry and the CLI talking to a daemon (which has only the list) both use these.
 */

/** A project by id (`proj_…`), absolute path (as given or with links resolved), or unique name. */
export function findProject(projects: readonly Project[], ref: string): Project | undefined {
  if (ref.startsWith("proj_")) return projects.find((p) => p.id === ref);
  if (ref.startsWith("/")) {
    const real = realOrSame(ref);
    return projects.find((p) => p.path === ref) ?? projects.find((p) => p.path === real);
  }
  const named = projects.filter((p) => p.name === ref);
  if (named.length > 1) {
    throw new FlotillaError("invalid_input", `project name "${ref}" is ambiguous; use its id or path`, {
      matches: named.map((n) => n.path),
    });
  }
  return named[0];
}

/** {@link findProject}, or a not_found error that lists the projects there are. */
export function mustFindProject(projects: readonly Project[], ref: string): Project {
  const found = findProject(projects, ref);
  if (found) return found;
  const known = projects.map((p) => p.name);
  throw new FlotillaError(
    "not_found",
    `no project "${ref}"` +
      (known.length ? ` (known: ${known.join(", ")})` : "; add one with `flotilla project add <path>`"),
    { ref },
  );
}

/** The innermost project whose work tree holds `dir`. */
export function projectContaining(projects: readonly Project[], dir: string): Project | undefined {
  const real = realOrSame(resolve(dir));
  return projects.filter((p) => isInside(p.path, real)).sort((a, b) => b.path.length - a.path.length)[0];
}

export function realOrSame(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** `path` is `root` or below it. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}
