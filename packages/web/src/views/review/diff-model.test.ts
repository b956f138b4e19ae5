import { describe, expect, it } from "vitest";
import type { DiffFile, TaskDiff } from "@flotilla/client";
import {
  anchorKey,
  anchorOf,
  anchorsOf,
  fileLabel,
  formatAnchor,
  formatCounts,
  lineTextAt,
  splitRows,
  totals,
  unifiedRows,
} from "./diff-model.js";

/** src/a.ts: line 2 changed, a line added after 3, line 5 removed. */
const FILE: DiffFile = {
  path: "src/a.ts",
  status: "modified",
  binary: false,
  additions: 2,
  deletions: 2,
  hunks: [
    {
      header: "@@ -1,5 +1,5 @@",
      oldStart: 1,
      oldLines: 5,
      newStart: 1,
      newLines: 5,
      lines: [
        { kind: "context", text: "one", oldLine: 1, newLine: 1 },
        { kind: "del", text: "two", oldLine: 2 },
        { kind: "add", text: "TWO", newLine: 2 },
        { kind: "context", text: "three", oldLine: 3, newLine: 3 },
        { kind: "add", text: "three and a half", newLine: 4 },
        { kind: "context", text: "four", oldLine: 4, newLine: 5 },
        { kind: "del", text: "five", oldLine: 5 },
      ],
    },
  ],
};

const DIFF: TaskDiff = { taskId: "t1", base: "aaaa111", head: "bbbb222", truncated: false, files: [FILE] };

describe("anchors", () => {
  it("puts added and context lines on the new side and removed lines on the old side", () => {
    expect(anchorOf("p", { kind: "add", text: "x", newLine: 7 })).toEqual({ path: "p", side: "new", line: 7 });
    expect(anchorOf("p", { kind: "context", text: "x", oldLine: 3, newLine: 4 })).toEqual({
      path: "p",
      side: "new",
      line: 4,
    });
    expect(anchorOf("p", { kind: "del", text: "x", oldLine: 9 })).toEqual({ path: "p", side: "old", line: 9 });
    expect(anchorOf("p", { kind: "del", text: "x" })).toBeUndefined();
  });

  it("lists every anchor of a diff and finds a line's text", () => {
    const keys = anchorsOf(DIFF);
    expect(keys.has(anchorKey({ path: "src/a.ts", side: "new", line: 4 }))).toBe(true);
    expect(keys.has(anchorKey({ path: "src/a.ts", side: "old", line: 5 }))).toBe(true);
    expect(keys.has(anchorKey({ path: "src/a.ts", side: "old", line: 1 }))).toBe(false); // context → new side
    expect(lineTextAt(DIFF, { path: "src/a.ts", side: "new", line: 4 })).toBe("three and a half");
    expect(lineTextAt(DIFF, { path: "src/a.ts", side: "old", line: 2 })).toBe("two");
    expect(lineTextAt(DIFF, { path: "nope", side: "new", line: 1 })).toBeUndefined();
  });

  it("formats an anchor for people", () => {
    expect(formatAnchor({ path: "a.ts", side: "new", line: 3 })).toBe("a.ts:3");
    expect(formatAnchor({ path: "a.ts", side: "old", line: 3 })).toBe("a.ts:3 (removed line)");
  });
});

describe("unified rows", () => {
  it("has a hunk header then every line with both numbers", () => {
    const rows = unifiedRows(FILE);
    expect(rows[0]).toEqual({ type: "hunk", header: "@@ -1,5 +1,5 @@" });
    expect(rows).toHaveLength(8);
    expect(rows[2]).toMatchObject({ type: "line", kind: "del", text: "two", oldLine: 2 });
    expect(rows[2]).not.toHaveProperty("newLine");
    expect(rows[4]).toMatchObject({ kind: "context", oldLine: 3, newLine: 3, anchor: { side: "new", line: 3 } });
  });
});

describe("side-by-side rows", () => {
  it("pairs a removed run with the added run after it and fills context on both sides", () => {
    const rows = splitRows(FILE);
    const view = rows.map((r) =>
      r.type === "hunk"
        ? "@@"
        : `${r.left ? `${r.left.number}:${r.left.text}` : "-"} | ${r.right ? `${r.right.number}:${r.right.text}` : "-"}`,
    );
    expect(view).toEqual([
      "@@",
      "1:one | 1:one",
      "2:two | 2:TWO",
      "3:three | 3:three",
      "- | 4:three and a half",
      "4:four | 5:four",
      "5:five | -",
    ]);
  });

  it("keeps uneven runs aligned and starts a new block when a removal follows additions", () => {
    const file: DiffFile = {
      ...FILE,
      hunks: [
        {
          header: "@@ -1,3 +1,3 @@",
          oldStart: 1,
          oldLines: 3,
          newStart: 1,
          newLines: 3,
          lines: [
            { kind: "del", text: "a", oldLine: 1 },
            { kind: "del", text: "b", oldLine: 2 },
            { kind: "add", text: "A", newLine: 1 },
            { kind: "add", text: "X", newLine: 2 },
            { kind: "del", text: "c", oldLine: 3 },
            { kind: "add", text: "C", newLine: 3 },
          ],
        },
      ],
    };
    const pairs = splitRows(file).flatMap((r) => (r.type === "pair" ? [[r.left?.text, r.right?.text]] : []));
    expect(pairs).toEqual([
      ["a", "A"],
      ["b", "X"],
      ["c", "C"],
    ]);
  });

  it("anchors context cells on both columns to the new line", () => {
    const row = splitRows(FILE)[1];
    expect(row).toMatchObject({
      type: "pair",
      left: { number: 1, anchor: { side: "new", line: 1 } },
      right: { number: 1, anchor: { side: "new", line: 1 } },
    });
  });

  it("gives a file without hunks (binary) no rows", () => {
    expect(splitRows({ ...FILE, binary: true, hunks: [] })).toEqual([]);
    expect(unifiedRows({ ...FILE, binary: true, hunks: [] })).toEqual([]);
  });
});

describe("formatting", () => {
  it("counts and labels", () => {
    expect(formatCounts(FILE)).toBe("+2 −2");
    expect(totals({ ...DIFF, files: [FILE, { ...FILE, path: "b", additions: 5, deletions: 0 }] })).toEqual({
      files: 2,
      additions: 7,
      deletions: 2,
    });
    expect(fileLabel({ path: "new.ts", oldPath: "old.ts", status: "renamed" })).toBe("old.ts → new.ts");
    expect(fileLabel({ path: "new.ts", status: "added" })).toBe("new.ts");
  });
});
