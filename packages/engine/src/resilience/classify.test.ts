import { describe, expect, it } from "vitest";
import { classifyFailure } from "./classify.js";

describe("classifyFailure", () => {
  it.each([
    "429 rate limit",
    "API Error: 429 Too Many Requests",
    "rate_limit_error: slow down",
    "Overloaded",
    'API Error: 529 {"type":"overloaded_error"}',
    "HTTP 500 Internal Server Error",
    "upstream returned 503 Service Unavailable",
    "502 Bad Gateway",
    "a 5xx from the provider",
    "read ECONNRESET",
    "connect ETIMEDOUT 10.0.0.1:443",
    "socket hang up",
    "TypeError: fetch failed",
    "stream disconnected: connection reset by peer",
  ])("%s is transient", (reason) => {
    expect(classifyFailure(reason)).toBe("transient");
  });

  it.each([
    "tests failed: expected 2, got 3",
    "the script failed the turn",
    "agent exited with code 1",
    "401 Unauthorized",
    "invalid api key",
    "403 Forbidden after 429 retries",
    "insufficient_quota: you exceeded your quota",
    "file src/a.ts not found",
    "",
    "wrote 500 lines",
  ])("%s is permanent", (reason) => {
    expect(classifyFailure(reason)).toBe("permanent");
  });
});
