import { ErrorBodySchema, type ErrorCode } from "@flotilla/protocol";

/** A failed call: the server's error code and message (or `internal` when it sent none). */
export class ClientError extends Error {
  override readonly name = "ClientError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The HTTP status; 0 when the server could not be reached or answered nonsense. */
    readonly status: number,
    readonly data: Record<string, unknown> = {},
    readonly retryable = false,
  ) {
    super(message);
  }

  /** From a response body that may or may not be the API's error body. */
  static fromBody(status: number, body: unknown): ClientError {
    const parsed = ErrorBodySchema.safeParse(body);
    if (parsed.success) {
      const e = parsed.data.error;
      return new ClientError(e.code, e.message, status, e.data ?? {}, e.retryable);
    }
    return new ClientError("internal", `the server answered ${status} without an error body`, status);
  }
}

export function isClientError(e: unknown): e is ClientError {
  return e instanceof ClientError;
}
