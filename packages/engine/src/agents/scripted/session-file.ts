import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ScriptSchema } from "@flotilla/protocol";

/**
 * The scripted agent's session, one JSON file per session. The adapter owns it (creates it,
 * bumps `turn`, writes `message`); the agent only reads it.
 */
export const ScriptedSessionSchema = z.object({
  sessionId: z.string().min(1),
  script: ScriptSchema,
  /** 0 runs `script.steps`; N runs `script.followUps[N-1]`. */
  turn: z.number().int().nonnegative(),
  /** The prompt or follow-up message of the current turn. */
  message: z.string(),
  /** Steps of this turn already done before an interruption: a resumed turn skips them. */
  skipSteps: z.number().int().nonnegative().default(0),
});
export type ScriptedSession = z.output<typeof ScriptedSessionSchema>;

/** The variable the adapter passes the task's allowed tools in (a JSON array of names). */
export const ALLOWED_TOOLS_ENV = "FLOTILLA_ALLOWED_TOOLS";

/** The allowed tools from the agent's environment; anything malformed allows nothing. */
export function allowedToolsFromEnv(env: Record<string, string | undefined>): Set<string> {
  const raw = env[ALLOWED_TOOLS_ENV];
  if (raw === undefined || raw === "") return new Set();
  try {
    const parsed: unknown = JSON.parse(raw);
    return new Set(Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === "string") : []);
  } catch {
    return new Set();
  }
}

const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

export function isValidSessionId(sessionId: string): boolean {
  return SESSION_ID.test(sessionId);
}

export function sessionDir(stateDir: string): string {
  return join(stateDir, "scripted-sessions");
}

export function sessionFilePath(stateDir: string, sessionId: string): string {
  if (!isValidSessionId(sessionId)) throw new Error(`invalid scripted session id: ${JSON.stringify(sessionId)}`);
  return join(sessionDir(stateDir), `${sessionId}.json`);
}

/** Reads and validates a session file; throws with a readable message. */
export function readSessionFile(path: string): ScriptedSession {
  const text = readFileSync(path, "utf8");
  const parsed = ScriptedSessionSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid session file ${path}: ${issue?.path.join(".") ?? ""} ${issue?.message ?? ""}`.trim());
  }
  return parsed.data;
}

/** Writes a session file atomically (temp file, then rename). */
export function writeSessionFile(stateDir: string, session: ScriptedSession): string {
  const path = sessionFilePath(stateDir, session.sessionId);
  mkdirSync(sessionDir(stateDir), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(session, null, 2)}\n`);
  renameSync(tmp, path);
  return path;
}

/**
 * The agent's own record of how far it got in a turn (written by the agent after each step, so
 * that a turn interrupted by a crash resumes after the last finished step, never redoing one).
 */
export const ProgressSchema = z.object({
  turn: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
});
export type ScriptedProgress = z.infer<typeof ProgressSchema>;

export function progressFilePath(sessionFile: string): string {
  return sessionFile.replace(/\.json$/, ".progress.json");
}

export function readProgress(sessionFile: string): ScriptedProgress | undefined {
  try {
    return ProgressSchema.parse(JSON.parse(readFileSync(progressFilePath(sessionFile), "utf8")));
  } catch {
    return undefined;
  }
}

export function writeProgress(sessionFile: string, progress: ScriptedProgress): void {
  const path = progressFilePath(sessionFile);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(progress));
  renameSync(tmp, path);
}
