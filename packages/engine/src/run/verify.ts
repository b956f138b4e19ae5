import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CiStatus, Command, Project, Task } from "@flotilla/protocol";
import { runCommand } from "../process/index.js";
import { toArgv } from "../shared/command-line.js";
import type { PipelineDeps } from "./pipeline-deps.js";

export type VerifyOutcome = { kind: "skipped" } | { kind: "interrupted" } | { kind: "ran"; status: CiStatus };

/** The verify command of a task: its own, else the project's configured one. */
export function verifyCommandFor(deps: PipelineDeps, task: Task, project: Project): Command | undefined {
  return task.verify ?? deps.configFor(project).defaults.verify;
}

/**
 * Runs the project's tests on one commit, checked out in `dir`, and records PASS/FAIL for that
 * commit hash in the store and as `ci-status/<hash>.json`.
 */
export async function verifyCommit(
  deps: PipelineDeps,
  task: Task,
  project: Project,
  dir: string,
  commit: string,
  shutdown?: AbortSignal,
): Promise<VerifyOutcome> {
  const command = verifyCommandFor(deps, task, project);
  if (command === undefined) return { kind: "skipped" };
  const argv = toArgv(command, `verify command of task ${task.id}`);
  const [bin, ...args] = argv as [string, ...string[]];
  deps.store.write((ctx) => ctx.emit({ type: "verify.started", taskId: task.id, commit, command: argv }));
  const config = deps.configFor(project);
  const result = await runCommand(bin, args, {
    cwd: dir,
    env: { ...deps.baseEnv, FLOTILLA_TASK_ID: task.id, FLOTILLA_COMMIT: commit, CI: "true" },
    timeoutMs: config.defaults.verifyTimeoutMs,
    maxOutputBytes: 256 * 1024,
    ...(shutdown ? { signal: shutdown } : {}),
  });
  if (shutdown?.aborted) return { kind: "interrupted" };
  const passed = result.code === 0 && !result.timedOut;
  const output = result.timedOut
    ? `${result.combined}\n[flotilla] verify timed out after ${config.defaults.verifyTimeoutMs} ms`
    : result.code === 127 && result.signal === null && result.combined.includes("failed to start")
      ? `${result.combined}\n[flotilla] could not start ${bin}: is it installed and on PATH?`
      : result.combined;
  const status: CiStatus = {
    commit,
    status: passed ? "pass" : "fail",
    command: argv,
    exitCode: result.code,
    output,
    durationMs: result.durationMs,
    taskId: task.id,
    at: new Date().toISOString(),
  };
  deps.store.write((ctx) => {
    ctx.ci.put(status);
    ctx.emit({ type: "verify.finished", taskId: task.id, commit, status: status.status, exitCode: result.code });
  });
  writeCiStatusFile(deps.home.ciStatus, status);
  return { kind: "ran", status };
}

function writeCiStatusFile(dir: string, status: CiStatus): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${status.commit}.json`), JSON.stringify(status, null, 2) + "\n");
}

/** The last lines of a command's output: what a person needs to see why it failed. */
export function tail(text: string, lines = 40): string {
  const all = text.split("\n");
  return all.length <= lines ? text : all.slice(-lines).join("\n");
}
