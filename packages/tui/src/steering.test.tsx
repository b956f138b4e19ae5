import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render } from "ink-testing-library";
import { App } from "./app.js";
import { ConfigEditor } from "./components/config-editor.js";
import { openEditor } from "./config-editor-state.js";
import { bufferOf, deleteBack, editKey, insertText, lineKey, moveCursor, textOf } from "./text-edit.js";
import { fakeClient, task } from "./test-support.js";
import type { InboxItem } from "@flotilla/client";

const size = { columns: 110, rows: 36 };
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

async function until(frame: () => string | undefined, test: (s: string) => boolean, timeoutMs = 3000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = frame() ?? "";
    if (test(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out; last frame:\n${s}`);
    await tick();
  }
}

afterEach(() => cleanup());

describe("the text buffer", () => {
  it("inserts, breaks lines, deletes back across lines and moves inside the text", () => {
    let b = bufferOf("ab\ncd");
    b = insertText(moveCursor(b, 0, 1), "X");
    expect(textOf(b)).toBe("aXb\ncd");
    b = insertText(b, "1\n2");
    expect(textOf(b)).toBe("aX1\n2b\ncd");
    expect([b.row, b.col]).toEqual([1, 1]);
    b = deleteBack(deleteBack(b));
    expect(textOf(b)).toBe("aX1b\ncd");
    expect([b.row, b.col]).toEqual([0, 3]);
    b = moveCursor(moveCursor(b, 5, 0), 0, 9);
    expect([b.row, b.col]).toEqual([1, 2]);
    expect(deleteBack(bufferOf("x"))).toEqual(bufferOf("x")); // nothing before the start
  });

  it("maps keys: enter breaks the line, backspace (sent as delete) deletes, ctrl-s saves, esc cancels", () => {
    const b = bufferOf("");
    const [typed] = editKey(b, "a: 1", {});
    expect(textOf(typed)).toBe("a: 1");
    const [broken, changed] = editKey(typed, "", { return: true });
    expect([textOf(broken), changed]).toEqual(["a: 1\n", "changed"]);
    expect(textOf(editKey(broken, "", { delete: true })[0])).toBe("a: 1");
    expect(editKey(b, "s", { ctrl: true })[1]).toBe("save");
    expect(editKey(b, "", { escape: true })[1]).toBe("cancel");
    expect(lineKey(b, "", { return: true })[1]).toBe("submit");
    expect(textOf(lineKey(b, "two\nlines", {})[0])).toBe("two lines");
    // Several backspaces in one read, and control characters that are never inserted.
    expect(textOf(editKey(bufferOf("abcd"), "", { end: true })[0])).toBe("abcd");
    expect(textOf(editKey({ lines: ["abcd"], row: 0, col: 4 }, "\x7f\x7f\x7f", {})[0])).toBe("a");
    expect(textOf(editKey(b, "a\x07b\tc", {})[0])).toBe("ab  c");
  });
});

describe("the config editor", () => {
  it("shows each problem under its line, with the key path and line:column", () => {
    const e = openEditor({ scope: "global" }, "global", {
      path: "/cfg/config.yaml",
      exists: true,
      text: "defaults:\n  concurrency: lots\n",
    });
    const r = render(
      <ConfigEditor
        editor={{
          ...e,
          check: {
            state: "invalid",
            errors: [
              { path: "defaults.concurrency", line: 2, column: 16, message: "expected number, received string" },
            ],
          },
        }}
        width={90}
        height={12}
      />,
    );
    const lines = (r.lastFrame() ?? "").split("\n");
    const at = lines.findIndex((l) => l.includes("concurrency: lots"));
    expect(lines[at]).toMatch(/2●/);
    expect(lines[at + 1]).toContain("↳ line 2:16 defaults.concurrency: expected number, received string");
    expect(r.lastFrame()).toContain("✗ 1 problem(s); not saved until fixed");
    expect(r.lastFrame()).toContain("Edit global config: /cfg/config.yaml");
  });
});

function question(taskId: string): InboxItem {
  return {
    id: `ibx_${taskId}`,
    kind: "question",
    taskId,
    projectId: "p1",
    title: taskId,
    since: "2025-01-01T00:00:00.000Z",
    seq: 5,
    text: "Postgres or SQLite?",
    actions: ["answer", "approve", "deny"],
  };
}

describe("steering from the App", () => {
  const tasks = () => [
    task("ask", { status: "needs_input", question: "Postgres or SQLite?" }),
    task("old", { status: "merged", commit: "abc" }),
  ];

  it("i answers the selected task's question through the client", async () => {
    const fake = fakeClient(tasks());
    fake.steering.inbox = [question("ask")];
    const r = render(<App client={fake.client} size={size} throttleMs={10} />);
    await until(r.lastFrame, (x) => x.includes("Tasks (2)"));
    r.stdin.write("i");
    await until(r.lastFrame, (x) => x.includes("? ask: Postgres or SQLite?") && x.includes("answer ›"));
    r.stdin.write("SQLite");
    await until(r.lastFrame, (x) => x.includes("answer › SQLite"));
    r.stdin.write("q"); // a letter in the input, not "quit"
    await until(r.lastFrame, (x) => x.includes("answer › SQLiteq"));
    r.stdin.write("\x7f");
    await until(r.lastFrame, (x) => x.includes("answer › SQLite") && !x.includes("SQLiteq"));
    r.stdin.write("\r");
    await until(r.lastFrame, (x) => x.includes("answered task ask; it runs on"));
    expect(fake.calls).toContain("answer ibx_ask SQLite");
    expect(r.lastFrame()).not.toContain("answer ›");
  });

  it("y / Y / n approve, approve for good and deny the selected task's inbox item; without one it says so", async () => {
    const fake = fakeClient(tasks());
    fake.steering.inbox = [question("ask")];
    const r = render(<App client={fake.client} size={size} throttleMs={10} />);
    await until(r.lastFrame, (x) => x.includes("Tasks (2)"));
    r.stdin.write("y");
    await until(r.lastFrame, (x) => x.includes("approved question of task ask"));
    r.stdin.write("Y");
    await until(r.lastFrame, (x) => x.includes("(for the rest of the task)"));
    r.stdin.write("n");
    await until(r.lastFrame, (x) => x.includes("denied question of task ask"));
    expect(fake.calls).toEqual(expect.arrayContaining(["approve ibx_ask", "approve ibx_ask always", "deny ibx_ask"]));
    r.stdin.write("j"); // the merged task: nothing in the inbox
    await tick(50);
    r.stdin.write("y");
    await until(r.lastFrame, (x) => x.includes("✗ approve old: task old has nothing to approve in the inbox"));
  });

  it("x removes the worktree; kept work is shown in red with the hint, X commits and removes it", async () => {
    const fake = fakeClient(tasks());
    fake.steering.clean = (taskId, force) =>
      force
        ? { taskId, removed: true, worktree: "/wt" }
        : { taskId, removed: false, worktree: "/wt", reason: "2 uncommitted change(s)" };
    const r = render(<App client={fake.client} size={size} throttleMs={10} />);
    await until(r.lastFrame, (x) => x.includes("Tasks (2)"));
    r.stdin.write("x");
    await until(r.lastFrame, (x) => x.includes("✗ kept the worktree of task ask: 2 uncommitted change(s)"));
    expect(r.lastFrame()).toContain("X commits it to the branch");
    r.stdin.write("X");
    await until(r.lastFrame, (x) => x.includes("✓ removed the worktree of task ask (its branch stays)"));
    expect(fake.calls).toEqual(expect.arrayContaining(["clean ask", "clean ask force"]));
  });

  it("e edits the config: a problem shows at its line and blocks saving; a valid text is saved", async () => {
    const fake = fakeClient(tasks());
    fake.steering.files["/cfg/flotilla/config.yaml"] = "defaults:\n  concurrency: 4";
    const r = render(<App client={fake.client} size={size} throttleMs={10} />);
    await until(r.lastFrame, (x) => x.includes("Tasks (2)"));
    r.stdin.write("e");
    await until(r.lastFrame, (x) => x.includes("Edit global config: /cfg/flotilla/config.yaml"));
    await until(r.lastFrame, (x) => x.includes("✓ valid"));
    r.stdin.write("\u001B[B"); // down to line 2, then to its end
    await tick(30);
    r.stdin.write("\u001B[F");
    await tick(30);
    r.stdin.write(" bad");
    const bad = await until(r.lastFrame, (x) => x.includes("↳ line 2:3 defaults.concurrency"));
    expect(bad).toContain("concurrency: 4 bad");
    r.stdin.write("\u0013"); // ctrl-s
    await until(r.lastFrame, (x) => x.includes("✗ not saved: 1 problem(s)"));
    expect(fake.calls.filter((c) => c.startsWith("save"))).toEqual([]);
    expect(fake.steering.files["/cfg/flotilla/config.yaml"]).toBe("defaults:\n  concurrency: 4");

    for (let i = 0; i < " bad".length + 1; i++) {
      r.stdin.write("\x7f");
      await tick(20);
    }
    r.stdin.write("6");
    await until(r.lastFrame, (x) => x.includes("concurrency: 6") && x.includes("✓ valid — ctrl-s saves"));
    r.stdin.write("\u0013");
    await until(r.lastFrame, (x) => x.includes("✓ saved /cfg/flotilla/config.yaml"));
    expect(fake.steering.files["/cfg/flotilla/config.yaml"]).toBe("defaults:\n  concurrency: 6");
    const order = fake.calls.filter((c) => c.startsWith("save") || c.startsWith("validate"));
    expect(order.at(-1)).toBe("save global");
    expect(order.at(-2)).toBe("validate global");
    // Back on the merged config, read again after the save.
    await until(r.lastFrame, (x) => x.includes("Settings: global, merged"));
  });

  it("esc leaves the editor without saving", async () => {
    const fake = fakeClient(tasks());
    const r = render(<App client={fake.client} size={size} throttleMs={10} />);
    await until(r.lastFrame, (x) => x.includes("Tasks (2)"));
    r.stdin.write(",");
    await until(r.lastFrame, (x) => x.includes("Settings: global, merged"));
    r.stdin.write("E");
    await until(r.lastFrame, (x) => x.includes("Edit global config: /cfg/flotilla/config.yaml (new)"));
    r.stdin.write("defaults: {}");
    await until(r.lastFrame, (x) => x.includes("defaults: {}") && x.includes(" *"));
    r.stdin.write("\u001B");
    await until(r.lastFrame, (x) => x.includes("left the editor; changes not saved"));
    expect(fake.calls.filter((c) => c.startsWith("save"))).toEqual([]);
    expect(fake.steering.files).toEqual({});
  });
});
