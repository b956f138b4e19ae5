import { describe, expect, it } from "vitest";
import { renderToString } from "react-dom/server";
import { emptyViewState, reduceAll, type FlotillaClient, type InboxItem, type ViewState } from "@flotilla/client";
import type { FlotillaEvent } from "@flotilla/protocol";
import { App } from "./App.js";
import type { Connection } from "./state/connection.js";
import { FlotillaProvider } from "./state/flotilla.js";
import { InboxProvider } from "./state/inbox.js";
import type { LiveStore } from "./state/live-store.js";
import { Dashboard } from "./views/dashboard/Dashboard.js";
import { TaskList } from "./views/tasks/TaskList.js";
import { SessionView } from "./views/tasks/SessionView.js";
import { TranscriptView } from "./views/tasks/Transcript.js";
import { DagGraph } from "./views/dashboard/DagGraph.js";
import { InboxItemCard } from "./views/inbox/InboxItemCard.js";
import { PermissionModal } from "./views/inbox/PermissionModal.js";

let seq = 0;
const ev = (payload: FlotillaEvent["payload"]): FlotillaEvent => ({ seq: ++seq, at: "2025-01-01T00:00:00Z", payload });

const view = reduceAll(emptyViewState(), [
  ev({ type: "project.added", projectId: "p", path: "/src/shop" }),
  ev({ type: "task.created", taskId: "t1", projectId: "p", title: "Add the cart" }),
  ev({ type: "task.created", taskId: "t2", projectId: "p", title: "Checkout page" }),
  ev({ type: "plan.started", planId: "plan1", projectId: "p", taskIds: ["t1", "t2"] }),
  ev({
    type: "task.status-changed",
    taskId: "t1",
    from: "queued",
    to: { status: "needs_input", question: "Which DB?" },
  }),
  ev({ type: "task.waiting", taskId: "t2", reason: "dependency t1 is not merged" }),
]);

function fakeStore(v: ViewState | undefined, connection: Connection = "live"): LiveStore {
  const snapshot = { view: v, connection, error: undefined };
  return {
    client: {} as FlotillaClient,
    getSnapshot: () => snapshot,
    subscribe: () => () => {},
    onEvent: () => () => {},
    start: () => {},
    stop: () => {},
  };
}

const render = (store: LiveStore, node: React.ReactNode) =>
  renderToString(
    <FlotillaProvider store={store}>
      <InboxProvider>{node}</InboxProvider>
    </FlotillaProvider>,
  );

describe("rendering", () => {
  it("shows the login page, and no data, when unauthorized", () => {
    const html = renderToString(
      <FlotillaProvider store={fakeStore(view, "unauthorized")}>
        <App />
      </FlotillaProvider>,
    );
    expect(html).toContain("flotilla serve");
    expect(html).toContain("flotilla web");
    expect(html).not.toContain("Add the cart");
  });

  it("shows a loading state before the first snapshot, and the banner when the stream drops", () => {
    const loading = renderToString(
      <FlotillaProvider store={fakeStore(undefined, "connecting")}>
        <App />
      </FlotillaProvider>,
    );
    expect(loading).toContain("connecting to Flotilla");
    const dropped = renderToString(
      <FlotillaProvider store={fakeStore(view, "reconnecting")}>
        <App />
      </FlotillaProvider>,
    );
    expect(dropped).toContain("connection lost — reconnecting…");
    expect(dropped).toContain("1 needs you");
  });

  it("renders the dashboard's counts, waiting reasons and needs-you items", () => {
    const html = render(fakeStore(view), <Dashboard />);
    expect(html).toContain("Which DB?");
    expect(html).toContain("dependency t1 is not merged");
    expect(html).toContain("shop");
  });

  it("renders the session list and a session", () => {
    expect(render(fakeStore(view), <TaskList />)).toContain("Checkout page");
    const session = render(fakeStore(view), <SessionView taskId="t1" />);
    expect(session).toContain("Add the cart");
    expect(session).toContain("needs input");
    expect(session).toContain("/tasks/t1/export");
    expect(render(fakeStore(view), <SessionView taskId="nope" />)).toContain("There is no task nope");
  });

  it("renders agent messages as markdown without raw HTML, tool calls collapsible", () => {
    const html = renderToString(
      <TranscriptView
        working={false}
        entries={[
          {
            kind: "agent",
            seq: 1,
            at: "2025-01-01T00:00:00Z",
            runId: "r",
            text: "**done** <img src=x onerror=alert(1)>",
          },
          {
            kind: "tool",
            seq: 2,
            at: "2025-01-01T00:00:00Z",
            runId: "r",
            name: "Bash",
            input: { command: "ls" },
            output: "a.ts",
          },
          { kind: "agent", seq: 3, at: "2025-01-01T00:00:00Z", runId: "r", text: "[x](javascript:alert(1))" },
        ]}
      />,
    );
    expect(html).toContain("<strong>done</strong>");
    expect(html).not.toContain("<img");
    // The agent's words stay: the HTML shows as text.
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).not.toContain("javascript:");
    expect(html).toContain("<details");
    expect(html).toContain("Bash");
  });

  it("draws the DAG as SVG with status colours", () => {
    const html = renderToString(
      <DagGraph
        tasks={[
          { id: "a", title: "A", status: "merged" },
          { id: "b", title: "B", status: "running" },
        ]}
        deps={{ b: ["a"] }}
      />,
    );
    expect(html).toContain("<svg");
    expect(html).toContain("tone-done");
    expect(html).toContain("tone-running");
    expect(html).toContain("edge satisfied");
  });
});

describe("the permissions modal and inbox items", () => {
  const permission: InboxItem = {
    id: "perm1",
    kind: "permission",
    taskId: "t1",
    projectId: "p",
    title: "Add the cart",
    since: "2025-01-01T00:00:00Z",
    seq: 9,
    text: "asks to use Bash",
    tool: "Bash",
    input: { command: "rm -rf build", cwd: "/src/shop" },
    actions: ["approve", "deny"],
  };
  const inbox = (data: InboxItem[], dismissed: string[] = []) => ({
    data,
    loading: false,
    error: undefined,
    reload: () => {},
    dismissed: new Set(dismissed),
    dismiss: () => {},
  });

  it("pops a permission request with tool, arguments, path and the three choices", () => {
    const html = render(fakeStore(view), <PermissionModal inbox={inbox([permission])} />);
    expect(html).toContain("Permission requested");
    expect(html).toContain("Bash");
    expect(html).toContain("rm -rf build");
    expect(html).toContain("/src/shop");
    expect(html).toContain("Allow once");
    expect(html).toContain("Always allow for this task");
    expect(html).toContain("Deny");
  });

  it("stays closed once dismissed, or for other kinds", () => {
    expect(render(fakeStore(view), <PermissionModal inbox={inbox([permission], ["perm1"])} />)).toBe("");
    expect(render(fakeStore(view), <PermissionModal inbox={inbox([{ ...permission, kind: "question" }])} />)).toBe("");
  });

  it("asks a question with a text box", () => {
    const html = render(
      fakeStore(view),
      <InboxItemCard item={{ ...permission, kind: "question", text: "Which DB?", actions: ["answer"] }} />,
    );
    expect(html).toContain("Which DB?");
    expect(html).toContain("<textarea");
    expect(html).toContain("Answer");
    expect(html).not.toContain("Always allow");
  });
});
