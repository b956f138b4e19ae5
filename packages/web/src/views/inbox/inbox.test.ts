import { describe, expect, it } from "vitest";
import type { InboxItem } from "@flotilla/client";
import { nextPermission, sortInbox, summarizePermission } from "./inbox.js";

const item = (over: Partial<InboxItem>): InboxItem => ({
  id: "i1",
  kind: "permission",
  taskId: "t1",
  projectId: "p1",
  title: "Task",
  since: "2025-01-01T00:00:00Z",
  seq: 1,
  text: "asks to use Bash",
  actions: ["approve", "deny"],
  ...over,
});

describe("the inbox", () => {
  it("pops the oldest permission request not dismissed", () => {
    const items = [item({ id: "q", kind: "question" }), item({ id: "a" }), item({ id: "b" })];
    expect(nextPermission(items, new Set())?.id).toBe("a");
    expect(nextPermission(items, new Set(["a"]))?.id).toBe("b");
    expect(nextPermission(items, new Set(["a", "b"]))).toBeUndefined();
    expect(nextPermission(undefined, new Set())).toBeUndefined();
  });

  it("names the tool, its path and its command", () => {
    expect(summarizePermission(item({ tool: "Write", input: { file_path: "/w/a.ts", content: "x" } }))).toEqual({
      tool: "Write",
      path: "/w/a.ts",
    });
    expect(summarizePermission(item({ tool: "Bash", input: { command: "rm -rf build", cwd: "/w" } }))).toEqual({
      tool: "Bash",
      path: "/w",
      command: "rm -rf build",
    });
    expect(summarizePermission(item({ tool: "exec", input: { cmd: ["git", "push"] } })).command).toBe("git push");
    expect(summarizePermission(item({ tool: undefined, input: 3 }))).toEqual({ tool: "a tool" });
  });

  it("sorts oldest first", () => {
    expect(sortInbox([item({ id: "b", seq: 5 }), item({ id: "a", seq: 2 })]).map((i) => i.id)).toEqual(["a", "b"]);
  });
});
