import { describe, expect, it } from "vitest";
import { render } from "ink-testing-library";
import { AgentPanes } from "./components/agent-panes.js";
import { InboxPanel } from "./components/inbox.js";
import { MergeQueuePanel } from "./components/merge-queue.js";
import { TaskBoard } from "./components/task-board.js";
import { TaskDetail } from "./components/task-detail.js";
import { badgeText } from "./badge.js";
import { activeAgents, boardGroups, visibleTasks } from "./selectors.js";
import { taskView, viewOf } from "./test-support.js";

const frame = (el: React.ReactElement) => {
  const r = render(el);
  const out = r.lastFrame() ?? "";
  r.unmount();
  return out;
};

describe("badges", () => {
  it("has a symbol and a word for every status", () => {
    expect(badgeText({ status: "running", runId: "r" })).toBe("● running");
    expect(badgeText({ status: "merged", commit: "abc" })).toBe("✓ merged");
    expect(badgeText({ status: "failed", reason: "x" })).toBe("✗ failed");
    expect(badgeText({ status: "needs_input", question: "?" })).toBe("? needs input");
    expect(badgeText({ status: "awaiting_merge" })).toBe("⧗ awaiting merge");
    expect(badgeText({ status: "awaiting_merge", reason: "dirty main" })).toBe("! blocked");
  });
});

describe("the task board", () => {
  const state = viewOf([
    taskView("api", { status: "running", runId: "r1" }),
    taskView("docs", { status: "queued" }, { waitingFor: "waits for api" }),
    taskView("ask", { status: "needs_input", question: "which port?" }),
    taskView("old", { status: "merged", commit: "abc" }),
    taskView("bad", { status: "failed", reason: "tests failed" }),
  ]);
  it("groups tasks by status, badges each, says what a waiting task waits for", () => {
    const out = frame(
      <TaskBoard
        groups={boardGroups(visibleTasks(state, undefined))}
        selectedId="docs"
        focused
        width={70}
        height={14}
      />,
    );
    const lines = out.split("\n");
    const at = (s: string) => lines.findIndex((l) => l.includes(s));
    expect(at("RUNNING (1)")).toBeLessThan(at("● running api"));
    expect(at("NEEDS YOU (1)")).toBeLessThan(at("? needs input ask"));
    expect(at("WAITING (1)")).toBeLessThan(at("○ queued docs"));
    expect(at("FAILED (1)")).toBeLessThan(at("✗ failed bad"));
    expect(at("DONE (1)")).toBeLessThan(at("✓ merged old"));
    expect(lines[at("○ queued docs")]).toMatch(/› .*docs — waits for api/);
  });
});

describe("agent panes", () => {
  it("one pane per running agent, each showing only the last lines that fit", () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
    const state = viewOf(
      [
        taskView("a", { status: "running", runId: "r1" }),
        taskView("b", { status: "verifying" }),
        taskView("c", { status: "queued" }),
      ],
      { a: lines, b: ["b says hi"] },
    );
    const agents = activeAgents(visibleTasks(state, undefined));
    const out = frame(
      <AgentPanes agents={agents} output={state.output} selectedId="a" focused width={100} height={8} />,
    );
    expect(out).toContain("● running a");
    expect(out).toContain("◐ verifying b");
    expect(out).not.toContain(" c ");
    // 8 rows: border (2) + title (1) leave 5 output lines: 95..99.
    expect(out).toContain("line 99");
    expect(out).toContain("line 95");
    expect(out).not.toContain("line 94");
    expect(out.split("\n").length).toBeLessThanOrEqual(8);
  });
  it("says so when no agent runs", () => {
    expect(
      frame(<AgentPanes agents={[]} output={{}} selectedId={undefined} focused={false} width={40} height={5} />),
    ).toContain("no agent is running");
  });
});

describe("inbox and merge queue", () => {
  const state = viewOf([
    taskView("ask", { status: "needs_input", question: "which port?" }),
    taskView("clash", { status: "conflicted", files: ["a.ts"] }),
    taskView("blocked", { status: "awaiting_merge", reason: "uncommitted changes in README.md" }),
    taskView("ready", { status: "awaiting_merge" }),
    taskView("landing", { status: "merging" }),
  ]);
  it("lists what needs a person, with the reason", () => {
    const out = frame(<InboxPanel items={state.needsYou} selectedId="ask" focused width={90} height={8} />);
    expect(out).toContain("Needs you (3)");
    expect(out).toMatch(/\? needs input ask: which port\?/);
    expect(out).toMatch(/≠ conflicted clash: conflict in a\.ts/);
    expect(out).toMatch(/! blocked blocked: uncommitted changes in README\.md/);
  });
  it("lists the merge queue and the last batches", () => {
    const queue = state.mergeQueue.taskIds.flatMap((id) => (state.tasks[id] ? [state.tasks[id]] : []));
    const batches = [
      { projectId: "p1", target: "main", taskIds: ["x", "y"], candidate: "c1", status: "pass" as const, at: "t" },
    ];
    const out = frame(
      <MergeQueuePanel tasks={queue} batches={batches} selectedId="ready" focused width={80} height={8} />,
    );
    expect(out).toContain("Merge queue (2)");
    expect(out).toMatch(/⧗ awaiting merge ready/);
    expect(out).toMatch(/⇡ merging landing/);
    expect(out).toMatch(/batch ✓ pass: x, y → main/);
  });
  it("the detail shows the state, the runs and the log tail", () => {
    const t = taskView("bad", { status: "failed", reason: "verify failed", detail: "1 test failed" });
    const run = { id: "r1", taskId: "bad", agent: "scripted", attempt: 1, status: "failed", exitCode: 1 };
    const lines = Array.from({ length: 50 }, (_, i) => `log ${i}`);
    const out = frame(<TaskDetail task={t} runs={[run]} lines={lines} width={80} height={16} scroll={0} />);
    expect(out).toMatch(/✗ failed bad — verify failed: 1 test failed/);
    expect(out).toMatch(/#1 scripted failed exit 1/);
    expect(out).toContain("log 49");
    expect(out).not.toContain("log 30");
  });
});
