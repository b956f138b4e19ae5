import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ERROR_CODES, ErrorBodySchema, FlotillaError, type ErrorCode } from "@flotilla/protocol";
import { errorResponse, statusForCode } from "./errors.js";

describe("the one error → HTTP mapping", () => {
  const expected: Record<ErrorCode, number> = {
    invalid_input: 400,
    config_invalid: 400,
    not_found: 404,
    already_exists: 409,
    illegal_transition: 409,
    busy: 409,
    conflict: 409,
    agent_unavailable: 422,
    git_failed: 500,
    process_failed: 500,
    internal: 500,
  };
  it.each(ERROR_CODES.map((c) => [c, expected[c]] as const))("%s → %i", (code, status) => {
    expect(statusForCode(code)).toBe(status);
    const r = errorResponse(new FlotillaError(code, "m", { k: 1 }, true));
    expect(r.status).toBe(status);
    expect(r.body).toEqual({ error: { code, message: "m", retryable: true, data: { k: 1 } } });
  });

  it("a zod failure is 400 with every issue and its path", () => {
    const parsed = z.object({ a: z.object({ b: z.number() }), c: z.string() }).safeParse({ a: { b: "x" } });
    const r = errorResponse(parsed.error);
    expect(r.status).toBe(400);
    expect(ErrorBodySchema.parse(r.body).error.code).toBe("invalid_input");
    const issues = r.body.error.data?.issues as { path: string }[];
    expect(issues.map((i) => i.path)).toEqual(["a.b", "c"]);
    expect(r.body.error.message).toMatch(/^invalid request: a\.b: .*; c: /);
  });

  it("anything else is a 500 internal error", () => {
    expect(errorResponse(new Error("kaput"))).toMatchObject({ status: 500, body: { error: { code: "internal" } } });
    expect(errorResponse("a string")).toMatchObject({ status: 500 });
  });
});
