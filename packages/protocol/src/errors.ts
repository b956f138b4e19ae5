import { z } from "zod";

/** Stable error codes: what went wrong, for exit codes, HTTP statuses and UIs. */
export const ERROR_CODES = [
  "invalid_input",
  "config_invalid",
  "not_found",
  "already_exists",
  "illegal_transition",
  "git_failed",
  "process_failed",
  "agent_unavailable",
  "conflict",
  "busy",
  "internal",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    retryable: z.boolean(),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

/** The one base error. Expected outcomes (failed tests, a conflict) are values, not throws. */
export class FlotillaError extends Error {
  override readonly name = "FlotillaError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly data: Record<string, unknown> = {},
    readonly retryable = false,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, retryable: this.retryable, data: this.data } };
  }
}

export function isFlotillaError(e: unknown): e is FlotillaError {
  return e instanceof FlotillaError;
}
