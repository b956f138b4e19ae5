import { describe, expect, it } from "vitest";
import { parseDiff } from "./parse-diff.js";

const patch = (...lines: string[]) => `${lines.join("\n")}\n`;

describe("parseDiff", () => {
  it("numbers a modified file's lines on both sides and counts additions and deletions", () => {
    const files = parseDiff(
      patch(
        "diff --git a/src/value.js b/src/value.js",
        "index 1111111..2222222 100644",
        "--- a/src/value.js",
        "+++ b/src/value.js",
        "@@ -1,4 +1,5 @@ function top() {",
        " one",
        "-two",
        "+TWO",
        "+two and a half",
        " three",
        " four",
        "@@ -10 +11 @@",
        "-ten",
        "+TEN",
      ),
    );
    expect(files).toHaveLength(1);
    const [file] = files;
    expect(file).toMatchObject({ path: "src/value.js", status: "modified", binary: false, additions: 3, deletions: 2 });
    expect(file?.oldPath).toBeUndefined();
    expect(file?.hunks.map((h) => [h.oldStart, h.oldLines, h.newStart, h.newLines])).toEqual([
      [1, 4, 1, 5],
      [10, 1, 11, 1],
    ]);
    expect(file?.hunks[0]?.header).toBe("@@ -1,4 +1,5 @@ function top() {");
    expect(file?.hunks[0]?.lines).toEqual([
      { kind: "context", text: "one", oldLine: 1, newLine: 1 },
      { kind: "del", text: "two", oldLine: 2 },
      { kind: "add", text: "TWO", newLine: 2 },
      { kind: "add", text: "two and a half", newLine: 3 },
      { kind: "context", text: "three", oldLine: 3, newLine: 4 },
      { kind: "context", text: "four", oldLine: 4, newLine: 5 },
    ]);
    expect(file?.hunks[1]?.lines).toEqual([
      { kind: "del", text: "ten", oldLine: 10 },
      { kind: "add", text: "TEN", newLine: 11 },
    ]);
  });

  it("added and deleted files, and several files in one patch", () => {
    const files = parseDiff(
      patch(
        "diff --git a/new.txt b/new.txt",
        "new file mode 100644",
        "index 0000000..3b18e51",
        "--- /dev/null",
        "+++ b/new.txt",
        "@@ -0,0 +1,2 @@",
        "+hello",
        "+world",
        "diff --git a/old.txt b/old.txt",
        "deleted file mode 100644",
        "index 3b18e51..0000000",
        "--- a/old.txt",
        "+++ /dev/null",
        "@@ -1 +0,0 @@",
        "-bye",
      ),
    );
    expect(files.map((f) => [f.path, f.status, f.additions, f.deletions])).toEqual([
      ["new.txt", "added", 2, 0],
      ["old.txt", "deleted", 0, 1],
    ]);
    expect(files[0]?.hunks[0]?.lines.map((l) => l.newLine)).toEqual([1, 2]);
    expect(files[1]?.hunks[0]?.lines).toEqual([{ kind: "del", text: "bye", oldLine: 1 }]);
  });

  it("a pure rename has no hunks; a rename with changes has both paths and its hunks", () => {
    const files = parseDiff(
      patch(
        "diff --git a/a.txt b/b.txt",
        "similarity index 100%",
        "rename from a.txt",
        "rename to b.txt",
        "diff --git a/lib/x.js b/src/x.js",
        "similarity index 80%",
        "rename from lib/x.js",
        "rename to src/x.js",
        "index 1..2 100644",
        "--- a/lib/x.js",
        "+++ b/src/x.js",
        "@@ -1,2 +1,2 @@",
        " keep",
        "-old",
        "+new",
      ),
    );
    expect(files[0]).toEqual({
      path: "b.txt",
      oldPath: "a.txt",
      status: "renamed",
      binary: false,
      additions: 0,
      deletions: 0,
      hunks: [],
    });
    expect(files[1]).toMatchObject({ path: "src/x.js", oldPath: "lib/x.js", status: "renamed", additions: 1 });
  });

  it("binary files: added, changed, with no hunks", () => {
    const files = parseDiff(
      patch(
        "diff --git a/img.png b/img.png",
        "new file mode 100644",
        "index 0000000..a1b2c3d",
        "Binary files /dev/null and b/img.png differ",
        "diff --git a/data.bin b/data.bin",
        "index 1234567..89abcde 100644",
        "Binary files a/data.bin and b/data.bin differ",
      ),
    );
    expect(files.map((f) => [f.path, f.status, f.binary, f.hunks.length])).toEqual([
      ["img.png", "added", true, 0],
      ["data.bin", "modified", true, 0],
    ]);
  });

  it('"\\ No newline at end of file" is not a line of either file', () => {
    const files = parseDiff(
      patch(
        "diff --git a/f b/f",
        "index 1..2 100644",
        "--- a/f",
        "+++ b/f",
        "@@ -1,2 +1,2 @@",
        " same",
        "-last",
        "\\ No newline at end of file",
        "+last, now ended",
        "diff --git a/g b/g",
        "index 1..2 100644",
        "--- a/g",
        "+++ b/g",
        "@@ -1 +1 @@",
        "-x",
        "+y",
        "\\ No newline at end of file",
      ),
    );
    expect(files[0]?.hunks[0]?.lines).toEqual([
      { kind: "context", text: "same", oldLine: 1, newLine: 1 },
      { kind: "del", text: "last", oldLine: 2 },
      { kind: "add", text: "last, now ended", newLine: 2 },
    ]);
    expect(files[1]?.hunks[0]?.lines.map((l) => l.kind)).toEqual(["del", "add"]);
    expect(files[1]?.path).toBe("g");
  });

  it("quoted paths (special characters, non-ASCII as octal) and names with spaces", () => {
    const files = parseDiff(
      patch(
        'diff --git "a/tab\\there.txt" "b/tab\\there.txt"',
        "new file mode 100644",
        "index 0000000..1",
        "--- /dev/null",
        '+++ "b/tab\\there.txt"',
        "@@ -0,0 +1 @@",
        "+x",
        'diff --git "a/caf\\303\\251.md" "b/caf\\303\\251.md"',
        "index 1..2 100644",
        '--- "a/caf\\303\\251.md"',
        '+++ "b/caf\\303\\251.md"',
        "@@ -1 +1 @@",
        "-a",
        "+b",
        "diff --git a/with space.txt b/with space.txt",
        "index 1..2 100644",
        "--- a/with space.txt\t",
        "+++ b/with space.txt\t",
        "@@ -1 +1 @@",
        "-a",
        "+b",
        "diff --git a/mode b/only.sh b/mode b/only.sh",
        "old mode 100644",
        "new mode 100755",
      ),
    );
    expect(files.map((f) => f.path)).toEqual(["tab\there.txt", "café.md", "with space.txt", "mode b/only.sh"]);
    expect(files[3]).toMatchObject({ status: "modified", hunks: [] });
  });

  it("a removed line that looks like a file header is content, counted by the hunk header", () => {
    const files = parseDiff(
      patch(
        "diff --git a/notes.md b/notes.md",
        "index 1..2 100644",
        "--- a/notes.md",
        "+++ b/notes.md",
        "@@ -1,2 +1,1 @@",
        "--- a/not-a-header",
        " kept",
      ),
    );
    expect(files).toHaveLength(1);
    expect(files[0]?.hunks[0]?.lines).toEqual([
      { kind: "del", text: "-- a/not-a-header", oldLine: 1 },
      { kind: "context", text: "kept", oldLine: 2, newLine: 1 },
    ]);
  });

  it("a patch cut in the middle keeps what was whole; empty input is no files", () => {
    const files = parseDiff(
      [
        "diff --git a/big.txt b/big.txt",
        "index 1..2 100644",
        "--- a/big.txt",
        "+++ b/big.txt",
        "@@ -1,5 +1,5 @@",
        " a",
        "-b",
        "+B",
        " c",
      ].join("\n"),
    );
    expect(files[0]?.hunks[0]?.lines).toHaveLength(4);
    expect(parseDiff("")).toEqual([]);
  });
});
