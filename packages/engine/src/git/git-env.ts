/**
 * Variables that point git at a particular repository, index or object store. Git sets them
 * while it runs a hook; Flotilla may itself run inside a hook, and then they would redirect
 * every command Flotilla runs to the wrong repository. They are always removed.
 */
const REPOSITORY_LOCATING_VARIABLES = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_PREFIX",
  "GIT_COMMON_DIR",
] as const;

/** The environment every git command runs with: the caller's, unpinned, in the C locale, never prompting. */
export function gitEnvironment(base: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...base };
  for (const name of REPOSITORY_LOCATING_VARIABLES) delete env[name];
  env.LC_ALL = "C";
  env.GIT_TERMINAL_PROMPT = "0";
  return env;
}

/** The identity used for commits when the repository has none configured. */
export const FALLBACK_IDENTITY = { name: "Flotilla", email: "flotilla@localhost" } as const;
