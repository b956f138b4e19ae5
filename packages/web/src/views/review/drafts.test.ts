import { describe, expect, it } from "vitest";
import {
  addComment,
  cannotSend,
  clearDraft,
  draftKey,
  editComment,
  emptyDraft,
  loadDraft,
  loadMode,
  markRefused,
  offDiff,
  otherHeadDrafts,
  removeComment,
  saveDraft,
  saveMode,
  sortedComments,
  toRequest,
  type KeyValueStore,
} from "./drafts.js";

/** A Storage over a Map. */
function memoryStore(): KeyValueStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
    get length() {
      return map.size;
    },
    key: (i) => [...map.keys()][i] ?? null,
  };
}

const A = { path: "src/a.ts", side: "new" as const, line: 4 };
const B = { path: "src/a.ts", side: "old" as const, line: 2 };
const C = { path: "README.md", side: "new" as const, line: 1 };

describe("editing a review", () => {
  it("adds, edits, removes and sorts comments", () => {
    let d = addComment(emptyDraft(), A, "why?", "1");
    d = addComment(d, B, "keep this", "2");
    d = addComment(d, C, "typo", "3");
    expect(sortedComments(d.comments).map((c) => c.id)).toEqual(["3", "2", "1"]);
    d = editComment(d, "1", "why 4?");
    expect(d.comments.find((c) => c.id === "1")?.body).toBe("why 4?");
    d = removeComment(d, "2");
    expect(d.comments.map((c) => c.id)).toEqual(["1", "3"]);
  });

  it("builds ONE request: trimmed comments with text, the head and the summary", () => {
    let d = addComment(emptyDraft(), A, "  rename this  ", "1");
    d = addComment(d, B, "   ", "2");
    expect(toRequest("abcdef1", { ...d, summary: " Two things. " })).toEqual({
      head: "abcdef1",
      comments: [{ path: "src/a.ts", line: 4, side: "new", body: "rename this" }],
      summary: "Two things.",
    });
    expect(toRequest("abcdef1", d)).not.toHaveProperty("summary");
    expect(cannotSend(emptyDraft())).toMatch(/at least one/);
    expect(cannotSend(addComment(emptyDraft(), A, "  "))).toMatch(/at least one/);
    expect(cannotSend(d)).toBeUndefined();
  });
});

describe("a refused send keeps every comment", () => {
  const draft = addComment(addComment(addComment(emptyDraft(), A, "a", "1"), B, "b", "2"), C, "c", "3");

  it("marks the comments the error data names (any key, any depth)", () => {
    const { draft: marked, named } = markRefused(draft, {
      status: 400,
      code: "invalid_input",
      message: "2 comments are on lines that no longer exist at the task's head: src/a.ts:4, src/a.ts:2 (old)",
      data: {
        stale: [
          { path: "src/a.ts", line: 4, side: "new" },
          { path: "src/a.ts", line: 2, side: "old" },
        ],
      },
    });
    expect(named).toBe(2);
    expect(marked.comments).toHaveLength(3);
    expect(marked.comments.find((c) => c.id === "1")?.error).toMatch(/no longer exist/);
    expect(marked.comments.find((c) => c.id === "2")?.error).toBeDefined();
    expect(marked.comments.find((c) => c.id === "3")?.error).toBeUndefined();
  });

  it("reads the server's refusal as it is sent (POST /tasks/:id/review-comments → 400)", () => {
    const { draft: marked, named } = markRefused(draft, {
      status: 400,
      code: "invalid_input",
      message:
        "a review comment is not on a line of task t1's current diff (its head moved from aaaa to bbbb since you read it); nothing was sent: README.md:1",
      data: { taskId: "t1", head: "bbbb222", comments: [{ path: "README.md", line: 1, side: "new" }] },
    });
    expect(named).toBe(1);
    expect(marked.comments.find((c) => c.id === "3")?.error).toMatch(/nothing was sent: README.md:1/);
    expect(marked.comments.filter((c) => c.error !== undefined)).toHaveLength(1);
  });

  it("uses a per-comment message when the data has one, and issues-style data", () => {
    const { draft: marked } = markRefused(draft, {
      message: "invalid request",
      data: { issues: [{ path: "README.md", line: 1, message: "README.md:1 is not in the diff any more" }] },
    });
    expect(marked.comments.find((c) => c.id === "3")?.error).toBe("README.md:1 is not in the diff any more");
  });

  it("falls back to path:line in the message (not matching a longer number)", () => {
    const d = addComment(draft, { path: "src/a.ts", side: "new", line: 40 }, "x", "4");
    const { draft: marked, named } = markRefused(d, { message: "stale lines: src/a.ts:40" });
    expect(named).toBe(1);
    expect(marked.comments.find((c) => c.id === "4")?.error).toBe("stale lines: src/a.ts:40");
    expect(marked.comments.find((c) => c.id === "1")?.error).toBeUndefined();
  });

  it("names nothing for an unrelated failure, and editing a comment clears its mark", () => {
    expect(markRefused(draft, { message: "the server is gone" }).named).toBe(0);
    const { draft: marked } = markRefused(draft, { message: "x", data: { stale: [{ path: "README.md", line: 1 }] } });
    expect(editComment(marked, "3", "c2").comments.find((c) => c.id === "3")).not.toHaveProperty("error");
  });

  it("flags comments on lines the diff does not show", () => {
    expect([...offDiff(draft, new Set(["new:4:src/a.ts"]))].sort()).toEqual(["2", "3"]);
  });
});

describe("drafts in storage, per task and head", () => {
  it("round-trips, removes an empty draft, and survives garbage", () => {
    const s = memoryStore();
    const d = addComment(emptyDraft(), A, "hello", "1");
    saveDraft(s, "t1", "abc1234", { ...d, summary: "sum" });
    expect(loadDraft(s, "t1", "abc1234")).toEqual({ ...d, summary: "sum" });
    expect(loadDraft(s, "t1", "fff9999")).toEqual(emptyDraft());
    saveDraft(s, "t1", "abc1234", emptyDraft());
    expect(s.map.has(draftKey("t1", "abc1234"))).toBe(false);
    s.setItem(draftKey("t1", "abc1234"), "{not json");
    expect(loadDraft(s, "t1", "abc1234")).toEqual(emptyDraft());
    s.setItem(draftKey("t1", "abc1234"), JSON.stringify({ comments: [{ path: "x", line: -1, body: "b" }, 7] }));
    expect(loadDraft(s, "t1", "abc1234")).toEqual(emptyDraft());
    clearDraft(s, "t1", "abc1234");
    expect(s.map.size).toBe(0);
    expect(loadDraft(undefined, "t1", "abc1234")).toEqual(emptyDraft());
  });

  it("finds drafts left at other heads of the same task only", () => {
    const s = memoryStore();
    const d = addComment(emptyDraft(), A, "hello", "1");
    saveDraft(s, "t1", "aaaa111", d);
    saveDraft(s, "t1", "bbbb222", d);
    saveDraft(s, "t10", "cccc333", d);
    saveMode(s, "unified");
    expect(otherHeadDrafts(s, "t1", "bbbb222").map((o) => o.head)).toEqual(["aaaa111"]);
  });

  it("remembers the layout, defaulting by width", () => {
    const s = memoryStore();
    expect(loadMode(s, false)).toBe("split");
    expect(loadMode(s, true)).toBe("unified");
    saveMode(s, "unified");
    expect(loadMode(s, false)).toBe("unified");
  });

  it("never throws when storage does", () => {
    const broken: KeyValueStore = {
      getItem: () => {
        throw new Error("denied");
      },
      setItem: () => {
        throw new Error("full");
      },
      removeItem: () => {
        throw new Error("denied");
      },
      length: 1,
      key: () => {
        throw new Error("denied");
      },
    };
    expect(loadDraft(broken, "t", "abcd")).toEqual(emptyDraft());
    expect(() => saveDraft(broken, "t", "abcd", addComment(emptyDraft(), A, "x"))).not.toThrow();
    expect(otherHeadDrafts(broken, "t", "abcd")).toEqual([]);
    expect(loadMode(broken, true)).toBe("unified");
  });
});
