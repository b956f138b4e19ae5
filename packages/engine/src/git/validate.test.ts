import { describe, expect, it } from "vitest";
import { FlotillaError } from "@flotilla/protocol";
import {
  assertAbsoluteDir,
  assertBranchName,
  assertCommitMessage,
  assertSafePath,
  assertSafeRef,
  assertTrailer,
} from "./validate.js";

function refusal(fn: () => void): FlotillaError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(FlotillaError);
    return error as FlotillaError;
  }
  throw new Error("expected a refusal");
}

describe("assertSafeRef / assertSafePath", () => {
  it.each(["-D", "--help", "--upload-pack=touch pwned", "-", ""])("refuses %j", (value) => {
    const error = refusal(() => assertSafeRef("branch", value));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toMatch(/^branch /);
    expect(refusal(() => assertSafePath("path", value)).code).toBe("invalid_input");
  });

  it.each(["a\nb", "a\rb", "a\0b", "tab\there", "esc\x1b[31m", "del\x7f"])(
    "refuses control characters in %j",
    (value) => {
      expect(refusal(() => assertSafeRef("ref", value)).message).toContain("control characters");
      expect(refusal(() => assertSafePath("path", value)).message).toContain("control characters");
    },
  );

  it("accepts ordinary refs and paths", () => {
    for (const ok of ["main", "HEAD~2", "feature/x-1", "0123abc", "main^{commit}", "a-b"]) assertSafeRef("ref", ok);
    for (const ok of ["/tmp/x y", "relative/path", "a-b"]) assertSafePath("path", ok);
  });

  it("requires absolute directories", () => {
    expect(refusal(() => assertAbsoluteDir("directory", "relative/dir")).message).toContain("absolute");
    assertAbsoluteDir("directory", "/tmp/dir");
  });
});

describe("assertBranchName (git check-ref-format --branch rules)", () => {
  it.each([
    "HEAD",
    "@",
    "a..b",
    "a b",
    "a~1",
    "a^",
    "a:b",
    "a?",
    "a*",
    "a[b",
    "a\\b",
    "a@{1}",
    "/a",
    "a/",
    "a//b",
    "a.",
    ".a",
    "a/.b",
    "a.lock",
    "a/b.lock/c",
    "-D",
    "--help",
  ])("refuses %j", (name) => {
    expect(refusal(() => assertBranchName("branch", name)).code).toBe("invalid_input");
  });

  it.each([
    "main",
    "flotilla/task_01abc",
    "feature/x-1.2",
    "a@b",
    "release/2024.01",
    "$(touch${IFS}pwned)",
    "a;b|c&d`id`",
  ])("accepts %j", (name) => {
    assertBranchName("branch", name);
  });
});

describe("commit messages and trailers", () => {
  it("accepts multi-line messages and refuses blank or control characters", () => {
    assertCommitMessage("title\n\nbody\twith tab\r\n");
    expect(refusal(() => assertCommitMessage("   ")).code).toBe("invalid_input");
    expect(refusal(() => assertCommitMessage("a\0b")).code).toBe("invalid_input");
    expect(refusal(() => assertCommitMessage("a\x1b[2Jb")).code).toBe("invalid_input");
  });

  it("checks trailer keys and values", () => {
    assertTrailer("Flotilla-Task", "task_1");
    expect(refusal(() => assertTrailer("-x", "v")).code).toBe("invalid_input");
    expect(refusal(() => assertTrailer("Bad Key", "v")).code).toBe("invalid_input");
    expect(refusal(() => assertTrailer("Key:", "v")).code).toBe("invalid_input");
    expect(refusal(() => assertTrailer("Key", "two\nlines")).code).toBe("invalid_input");
    expect(refusal(() => assertTrailer("Key", "")).code).toBe("invalid_input");
  });
});
