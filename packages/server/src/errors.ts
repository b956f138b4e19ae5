import { z } from "zod";
import { isFlotillaError, type ErrorBody, type ErrorCode } from "@flotilla/protocol";

/** HTTP statuses the API answers with. */
export type ApiStatus = 200 | 201 | 202 | 400 | 401 | 403 | 404 | 409 | 413 | 421 | 422 | 500;

/**
 * THE one mapping from a FlotillaError code to an HTTP status. Nowhere else decides it.
 */
export function statusForCode(code: ErrorCode): ApiStatus {
  switch (code) {
    case "invalid_input":
    case "config_invalid":
      return 400;
    case "not_found":
      return 404;
    case "already_exists":
    case "illegal_transition":
    case "busy":
    case "conflict":
      return 409;
    case "agent_unavailable":
      return 422;
    case "git_failed":
    case "process_failed":
    case "internal":
      return 500;
  }
}

/** Any thrown value as the API's error body and status (`{ error: { code, message, retryable, data } }`). */
export function errorResponse(err: unknown): { status: ApiStatus; body: ErrorBody } {
  if (isFlotillaError(err)) return { status: statusForCode(err.code), body: err.toBody() };
  if (err instanceof z.ZodError) return { status: 400, body: zodErrorBody(err) };
  if (isHttpException(err) && err.status === 413) {
    return { status: 413, body: bodyOf("invalid_input", "the request body is too large", { limitBytes: BODY_LIMIT }) };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, body: bodyOf("internal", `internal error: ${message}`) };
}

/** The largest request body accepted (a plan's text fits many times over). */
export const BODY_LIMIT = 2 * 1024 * 1024;

/** A refusal by the security checks (token, Host, Origin): not an engine error, so built here. */
export function refusal(
  status: 401 | 403 | 421,
  reason: "unauthorized" | "host_not_allowed" | "origin_not_allowed",
  message: string,
): { status: ApiStatus; body: ErrorBody } {
  return { status, body: bodyOf("invalid_input", message, { reason }) };
}

export function zodErrorBody(err: z.ZodError): ErrorBody {
  const issues = err.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message, code: i.code }));
  const text = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  return bodyOf("invalid_input", `invalid request: ${text}`, { issues });
}

function bodyOf(code: ErrorCode, message: string, data: Record<string, unknown> = {}): ErrorBody {
  return { error: { code, message, retryable: false, data } };
}

function isHttpException(err: unknown): err is { status: number } {
  return (
    err instanceof Error && err.name === "HTTPException" && typeof (err as { status?: unknown }).status === "number"
  );
}
