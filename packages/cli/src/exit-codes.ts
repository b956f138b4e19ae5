import type { ErrorCode } from "@flotilla/protocol";

/**
 * The one map from outcomes to exit codes (documented in docs/cli.md):
 * 0 ok · 1 a task did not land (failed, conflicted, cancelled, needs input, blocked) ·
 * 2 bad input or config · 3 not found · 4 busy (another Flotilla holds it) · 5 internal error ·
 * 130 interrupted (Ctrl-C / SIGTERM; resumable with `flotilla resume`).
 */
export const EXIT = {
  ok: 0,
  taskNotLanded: 1,
  badInput: 2,
  notFound: 3,
  busy: 4,
  internal: 5,
  interrupted: 130,
} as const;

export function exitCodeForError(code: ErrorCode): number {
  switch (code) {
    case "invalid_input":
    case "config_invalid":
    case "illegal_transition":
    case "already_exists":
      return EXIT.badInput;
    case "not_found":
      return EXIT.notFound;
    case "busy":
    case "conflict":
      return EXIT.busy;
    case "agent_unavailable":
      return EXIT.badInput;
    case "git_failed":
    case "process_failed":
    case "internal":
      return EXIT.internal;
  }
}
