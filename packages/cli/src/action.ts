import { isClientError } from "@flotilla/client";
import { isFlotillaError } from "@flotilla/protocol";
import { EXIT, exitCodeForError } from "./exit-codes.js";

/** Where an action leaves its exit code: main() reads it after commander is done. */
export const exitState = { code: EXIT.ok as number };

/**
 * Wraps a command's action: its return value is the exit code; a FlotillaError becomes a clear
 * message on stderr (what and where) and its mapped exit code; anything else is an internal error.
 */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      exitState.code = await fn(...args);
    } catch (err) {
      exitState.code = reportError(err);
    }
  };
}

export function reportError(err: unknown): number {
  // A daemon's answer (through the client) carries the same codes as the engine's errors.
  if (isFlotillaError(err) || isClientError(err)) {
    process.stderr.write(`flotilla: ${err.message}\n`);
    return exitCodeForError(err.code);
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`flotilla: internal error: ${message}\n`);
  if (process.env.FLOTILLA_DEBUG && err instanceof Error && err.stack) process.stderr.write(err.stack + "\n");
  return EXIT.internal;
}
