import { existsSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { FlotillaError } from "@flotilla/protocol";
import { runCommand } from "../process/index.js";
import { FALLBACK_IDENTITY, gitEnvironment } from "./git-env.js";

export interface GitCommandEvent {
  args: readonly string[];
  dir: string;
  exitCode: number | null;
  durationMs: number;
  timedOut: boolean;
}

export interface GitRunnerOptions {
  /** Per-command time limit; default 5 minutes. */
  timeoutMs?: number;
  /** The git executable; default `git` from PATH. */
  gitPath?: string;
  /** Told about every git command after it ends (for logs and tests). */
  onCommand?: (event: GitCommandEvent) => void;
}

export interface GitOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface GitRunOptions {
  /** Exit codes besides 0 that the caller expects and handles (e.g. 1 for "no"). */
  allowExitCodes?: readonly number[];
  /** Return any exit code to the caller, which inspects the outcome itself (timeouts still throw). */
  allowAnyExitCode?: boolean;
  /** Variables set for this command only, over the usual environment (e.g. a scratch GIT_INDEX_FILE). */
  env?: Readonly<Record<string, string>>;
}

/** Runs git commands (argv only, through runCommand) and turns failures into FlotillaErrors. */
export interface GitRunner {
  run(dir: string, args: readonly string[], options?: GitRunOptions): Promise<GitOutput>;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
// Large enough that runCommand never cuts what git prints; a cut would corrupt parsing.
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;
const EARLIER_OUTPUT_CUT = "…[earlier output cut]";
const LINE_CUT = " …[line cut]";
const STDERR_TAIL_CHARS = 2000;

export function createGitRunner(options: GitRunnerOptions = {}): GitRunner {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const gitPath = options.gitPath ?? "git";

  async function runOnce(dir: string, args: readonly string[], runOptions: GitRunOptions) {
    const result = await runCommand(gitPath, args, {
      cwd: dir,
      env: runOptions.env ? { ...gitEnvironment(), ...runOptions.env } : gitEnvironment(),
      timeoutMs,
      maxOutputBytes: MAX_OUTPUT_BYTES,
    });
    options.onCommand?.({ args, dir, exitCode: result.code, durationMs: result.durationMs, timedOut: result.timedOut });
    return result;
  }

  async function run(dir: string, args: readonly string[], runOptions: GitRunOptions = {}): Promise<GitOutput> {
    let result = await runOnce(dir, args, runOptions);
    for (let retry = 1; retry <= HALF_WRITTEN_WORKTREE_RETRIES && sawHalfWrittenWorktree(result); retry += 1) {
      await delay(HALF_WRITTEN_WORKTREE_DELAY_MS * retry);
      result = await runOnce(dir, args, runOptions);
    }
    const exitCode = result.code;
    const expected =
      exitCode !== null &&
      (exitCode === 0 || runOptions.allowAnyExitCode === true || (runOptions.allowExitCodes ?? []).includes(exitCode));
    if (!expected || result.timedOut) {
      if (!existsSync(dir)) throw new FlotillaError("invalid_input", `no such directory: ${dir}`, { dir });
      const why = result.timedOut
        ? `timed out after ${timeoutMs} ms`
        : outputTail(result.stderr) || `exit code ${String(exitCode)}`;
      throw gitFailed(args, dir, exitCode, result.stderr, why);
    }
    if (result.stdout.startsWith(EARLIER_OUTPUT_CUT) || result.stdout.includes(LINE_CUT)) {
      throw gitFailed(args, dir, exitCode, result.stderr, "its output was too large to read whole");
    }
    return { exitCode: exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  return { run };
}

/**
 * Git reads every linked worktree's admin files (`.git/worktrees/NAME/commondir`, `gitdir`) in
 * many commands; while another `git worktree add` is creating one, they exist but are still
 * empty, and the reader dies (`fatal: failed to read …/commondir: Success`) before it changes
 * anything. Such a run is repeated after a short pause. Callers never pass a command that does
 * work before that read (worktreeAdd creates its branch in a command of its own).
 */
const HALF_WRITTEN_WORKTREE = /failed to read .*worktrees\/[^/\n]+\/(commondir|gitdir)\b/;
const HALF_WRITTEN_WORKTREE_RETRIES = 5;
const HALF_WRITTEN_WORKTREE_DELAY_MS = 40;

function sawHalfWrittenWorktree(result: { code: number | null; timedOut: boolean; stderr: string }): boolean {
  return result.code !== 0 && !result.timedOut && HALF_WRITTEN_WORKTREE.test(result.stderr);
}

/** The error for a git command that failed when the caller's contract allows no failure. */
export function gitFailed(
  args: readonly string[],
  dir: string,
  exitCode: number | null,
  stderr: string,
  why: string,
): FlotillaError {
  return new FlotillaError("git_failed", `git ${args.join(" ")} failed in ${dir}: ${why}`, {
    args: [...args],
    dir,
    exitCode,
    stderr: outputTail(stderr),
  });
}

/** The end of a command's output: what explains a failure. */
export function outputTail(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > STDERR_TAIL_CHARS ? `…${trimmed.slice(-STDERR_TAIL_CHARS)}` : trimmed;
}

/**
 * `-c user.name=Flotilla -c user.email=flotilla@localhost` for commands that create commits when
 * the repository (with its global and system config) sets no email; only the name when that
 * alone is missing. A machine with no git identity can still commit.
 */
export async function identityConfigArgs(git: GitRunner, dir: string): Promise<string[]> {
  const configured = async (key: string) => {
    const found = await git.run(dir, ["config", "--get", key], { allowExitCodes: [1] });
    return found.exitCode === 0 && found.stdout.trim() !== "";
  };
  const nameArgs = ["-c", `user.name=${FALLBACK_IDENTITY.name}`];
  if (!(await configured("user.email"))) return [...nameArgs, "-c", `user.email=${FALLBACK_IDENTITY.email}`];
  return (await configured("user.name")) ? [] : nameArgs;
}

/**
 * Config for commands that write commits in Flotilla's own worktrees: no hooks (an agent's or a
 * user's hook must not block, alter or run during Flotilla's bookkeeping) and no signing prompt.
 */
export const UNATTENDED_COMMIT_CONFIG: readonly string[] = [
  "-c",
  "core.hooksPath=/dev/null",
  "-c",
  "commit.gpgSign=false",
];
