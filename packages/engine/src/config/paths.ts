import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/** The environment paths are worked out from; `process.env` unless told. */
export type PathEnv = Record<string, string | undefined>;

/** The data dir (database, worktrees, state): `$FLOTILLA_HOME`, `$XDG_DATA_HOME/flotilla`, `~/.local/share/flotilla`. */
export function flotillaHome(env: PathEnv = process.env): string {
  const own = nonEmpty(env.FLOTILLA_HOME);
  if (own !== undefined) return resolve(own);
  const xdg = absolute(env.XDG_DATA_HOME);
  return xdg !== undefined ? join(xdg, "flotilla") : join(home(env), ".local", "share", "flotilla");
}

/** The user's config dir: `$XDG_CONFIG_HOME/flotilla`, else `~/.config/flotilla`. */
export function globalConfigDir(env: PathEnv = process.env): string {
  const xdg = absolute(env.XDG_CONFIG_HOME);
  return xdg !== undefined ? join(xdg, "flotilla") : join(home(env), ".config", "flotilla");
}

/** A project's own config dir: `<projectDir>/.flotilla`. */
export function projectConfigDir(projectDir: string): string {
  return join(projectDir, ".flotilla");
}

function home(env: PathEnv): string {
  return nonEmpty(env.HOME) ?? homedir();
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value !== "" ? value : undefined;
}

/** The XDG spec says relative values are to be ignored. */
function absolute(value: string | undefined): string | undefined {
  return value !== undefined && isAbsolute(value) ? value : undefined;
}
