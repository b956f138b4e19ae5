import { describe, expect, it } from "vitest";
import { FlotillaError } from "@flotilla/protocol";
import { parseDiff } from "../git/parse-diff.js";
import { commentedLine, composeReview } from "./review-comments.js";

const files = parseDiff(
  [
    "diff --git a/src/value.js b/src/value.js",
    "index 1..2 100644",
    "--- a/src/value.js",
    "+++ b/src/value.js",
    "@@ -1,3 +1,3 @@",
    " const a = 1;",
    "-module.exports = { value: () => 1 };",
    "+module.exports = { value: () => 2 };",
    " // end",
    "diff --git a/old/name.md b/new/name.md",
    "similarity index 90%",
    "rename from old/name.md",
    "rename to new/name.md",
    "--- a/old/name.md",
    "+++ b/new/name.md",
    "@@ -4 +4 @@",
    "-was",
    "+is",
    "",
  ].join("\n"),
);
const diff = { taskId: "t1", head: "abcdef0123456789", files };

describe("review comments", () => {
  it("finds the line a comment is on: new side (added or context), old side (removed or context), renamed paths", () => {
    expect(commentedLine(files, { path: "src/value.js", line: 2, side: "new" })?.text).toContain("() => 2");
    expect(commentedLine(files, { path: "src/value.js", line: 3, side: "new" })?.kind).toBe("context");
    expect(commentedLine(files, { path: "src/value.js", line: 2, side: "old" })?.text).toContain("() => 1");
    expect(commentedLine(files, { path: "old/name.md", line: 4, side: "old" })?.text).toBe("was");
    expect(commentedLine(files, { path: "new/name.md", line: 4, side: "new" })?.text).toBe("is");
    expect(commentedLine(files, { path: "src/value.js", line: 9, side: "new" })).toBeUndefined();
    expect(commentedLine(files, { path: "nope.js", line: 1, side: "new" })).toBeUndefined();
  });

  it("makes ONE message: the summary, then each comment as path:line, the quoted line and the comment", () => {
    const message = composeReview(diff, {
      head: "abcdef01",
      summary: "Nearly there.",
      comments: [
        { path: "src/value.js", line: 2, side: "new", body: "Name this constant." },
        { path: "old/name.md", line: 4, side: "old", body: "Why drop this?" },
      ],
    });
    expect(message).toBe(
      [
        "A reviewer left 2 comments on your changes.",
        "Nearly there.",
        "src/value.js:2\n> module.exports = { value: () => 2 };\nName this constant.",
        "old/name.md:4 (a removed line)\n> was\nWhy drop this?",
        "Address each comment, then finish.",
      ].join("\n\n"),
    );
  });

  it("refuses every comment on a line the diff lacks, naming each, and says when the head moved", () => {
    const review = {
      head: "0123456",
      comments: [
        { path: "src/value.js", line: 2, side: "new" as const, body: "ok" },
        { path: "src/value.js", line: 40, side: "new" as const, body: "gone" },
        { path: "gone.js", line: 1, side: "old" as const, body: "gone too" },
      ],
    };
    let error: unknown;
    try {
      composeReview(diff, review);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FlotillaError);
    const e = error as FlotillaError;
    expect(e.code).toBe("invalid_input");
    expect(e.message).toContain("src/value.js:40");
    expect(e.message).toContain("gone.js:1 (a removed line)");
    expect(e.message).not.toContain("src/value.js:2,");
    expect(e.message).toMatch(/head moved from 0123456 to abcdef0123/);
    expect(e.data.comments).toEqual([
      { path: "src/value.js", line: 40, side: "new" },
      { path: "gone.js", line: 1, side: "old" },
    ]);
    expect(() => composeReview(diff, { ...review, head: "abcdef01", comments: [review.comments[1]!] })).toThrow(
      /^a review comment is not on a line of task t1's current diff; nothing was sent: src\/value.js:40$/,
    );
  });
});
