import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient, type FlotillaClient } from "@flotilla/client";
import type { Script } from "@flotilla/protocol";
import { git } from "./support/fixtures.js";
import { appFixture, HOST, json, list, type AppFixture, type Loose } from "./server-support.js";

/**
 * The steering API (inbox actions, follow-ups, diffs, review comments, transcripts, exports)
 * through the routes, on a real engine, real git, real SQLite and the real scripted agent.
 */
describe("the steering API", () => {
  let f: AppFixture;
  let client: FlotillaClient;
  beforeAll(async () => {
    f = appFixture();
    await f.engine.projects.add({ path: f.repo, name: "repo" });
    // The typed HTTP client over the app in process: every answer is parsed with its wire schema.
    client = createHttpClient({
      baseUrl: `http://${HOST}`,
      token: f.token,
      fetch: (input, init) =>
        Promise.resolve(
          f.app.request(input instanceof Request ? input.url : input instanceof URL ? input.href : input, {
            ...init,
            headers: { ...(init?.headers as Record<string, string>), host: HOST },
          }),
        ),
    });
  });
  afterAll(async () => f.close());

  const expectError = async (res: Response, status: number, code: string): Promise<Loose> => {
    const body: Loose = await json(res);
    expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
    return body;
  };
  /** Creates a task (run in the background) and waits until it rests. */
  async function rest(id: string, script: Script, extra: Record<string, unknown> = {}): Promise<Loose> {
    const res = await f.call("POST", "/tasks", { id, prompt: `do ${id}`, script, ...extra });
    expect(res.status).toBe(201);
    await f.background.idle();
    return json(await f.call("GET", `/tasks/${id}`));
  }
  const task = async (id: string): Promise<Loose> => json(await f.call("GET", `/tasks/${id}`));
  const inboxOf = async (taskId: string): Promise<Loose[]> =>
    list((await json(await f.call("GET", "/inbox"))).items).filter((i: Loose) => i.taskId === taskId);
  /** The message the scripted agent got for its current turn (its session file). */
  function sessionMessage(taskId: string): string {
    const run = f.engine.store.read.runs
      .listForTask(taskId)
      .filter((r) => r.role === "coder")
      .at(-1);
    const file = join(f.engine.home.state, "scripted-sessions", `${run?.sessionId ?? ""}.json`);
    return (JSON.parse(readFileSync(file, "utf8")) as { message: string }).message;
  }
  const runCount = (taskId: string) => f.engine.store.read.runs.listForTask(taskId).length;
  const coderSessions = (taskId: string) =>
    f.engine.store.read.runs
      .listForTask(taskId)
      .filter((r) => r.role === "coder")
      .map((r) => r.sessionId);
  /** What the transcript says was sent to the coding agent (not to the reviewer), in order. */
  async function saidToCoder(taskId: string): Promise<string[]> {
    const { entries } = await client.transcript(taskId);
    const coder = new Set(entries.flatMap((e) => (e.kind === "run" && e.role === "coder" ? [e.runId] : [])));
    return entries.flatMap((e) => (e.kind === "user" && coder.has(e.runId) ? [e.text] : []));
  }
  /** Nothing happened: no event since `seq`, the task's status and runs as they were. */
  function unchanged(seq: number, taskId: string, status: string, runs: number): void {
    expect(f.engine.store.read.events.latestSeq()).toBe(seq);
    expect(f.engine.task(taskId).state.status).toBe(status);
    expect(runCount(taskId)).toBe(runs);
  }

  it("a question: listed in GET /inbox; answer → 202 at once, the session resumes and the task lands; a stale id is 404", async () => {
    const asked = await rest("ask", {
      steps: [{ ask: { question: "Postgres or SQLite?" } }],
      followUps: [[{ write: { path: "db.txt", content: "sqlite\n" } }]],
    });
    expect(asked.state.status).toBe("needs_input");
    const [item] = await inboxOf("ask");
    expect(item).toMatchObject({
      kind: "question",
      taskId: "ask",
      title: expect.any(String),
      text: "Postgres or SQLite?",
      actions: ["answer", "approve", "deny"],
    });
    expect((await client.inbox()).map((i) => i.id)).toContain(item.id);

    // "always" is for permission requests: refused, nothing changes.
    const seq = f.engine.store.read.events.latestSeq();
    const always = await expectError(
      await f.call("POST", `/inbox/${item.id}/approve`, { always: true }),
      400,
      "invalid_input",
    );
    expect(always.error.message).toMatch(/permission request/);
    await expectError(await f.call("POST", `/inbox/${item.id}/answer`, {}), 400, "invalid_input");
    unchanged(seq, "ask", "needs_input", runCount("ask"));

    const res = await f.call("POST", `/inbox/${item.id}/answer`, { text: "SQLite, please" });
    expect(res.status).toBe(202);
    expect((await json(res)).id).toBe("ask");
    await f.background.idle();
    expect((await task("ask")).state.status).toBe("merged");
    expect(sessionMessage("ask")).toBe("SQLite, please");
    expect(git(f.repo, "show", "main:db.txt")).toBe("sqlite");
    const sessions = coderSessions("ask");
    expect(sessions).toEqual([sessions[0], sessions[0]]);

    // The item is gone: a second answer, or an id that never existed, is a 404 naming it; nothing changes.
    const after = f.engine.store.read.events.latestSeq();
    const runsAfter = runCount("ask");
    const again = await expectError(
      await f.call("POST", `/inbox/${item.id}/answer`, { text: "again" }),
      404,
      "not_found",
    );
    expect(again.error.message).toContain(item.id);
    expect(again.error.message).toMatch(/already answered|moved on/);
    const never = await expectError(await f.call("POST", "/inbox/ibx_nope_1/approve"), 404, "not_found");
    expect(never.error.message).toContain("ibx_nope_1");
    await expectError(await f.call("POST", `/inbox/ibx_ask_1/deny`, { reason: "x" }), 404, "not_found");
    unchanged(after, "ask", "merged", runsAfter);
    expect(await inboxOf("ask")).toEqual([]);
  });

  it("approve always=true: a later permission step for the same tool does not ask; another tool still does", async () => {
    const asked = await rest("perm", {
      steps: [{ permission: { tool: "bash", input: { command: "make" } } }],
      followUps: [
        [{ permission: { tool: "bash", input: { command: "make again" } } }, { permission: { tool: "web_fetch" } }],
        [{ write: { path: "perm.txt", content: "ok\n" } }],
      ],
    });
    expect(asked.state.status).toBe("needs_input");
    const [first] = await inboxOf("perm");
    expect(first).toMatchObject({ kind: "permission", tool: "bash", input: { command: "make" } });

    const res = await f.call("POST", `/inbox/${first.id}/approve`, { always: true });
    expect(res.status).toBe(202);
    await f.background.idle();
    expect(sessionMessage("perm")).toMatch(/^Approved: go ahead and use bash/);
    // bash was not asked for again; the turn went on to the next tool, which asks.
    const [second] = await inboxOf("perm");
    expect(second).toMatchObject({ kind: "permission", tool: "web_fetch" });
    const allowed = f.engine.store.read.events.since(0, { taskId: "perm", types: ["task.tool-allowed"] });
    expect(allowed.map((e) => e.payload)).toEqual([{ type: "task.tool-allowed", taskId: "perm", tool: "bash" }]);
    const transcript = await client.transcript("perm");
    expect(transcript.entries).toContainEqual(
      expect.objectContaining({ kind: "tool", name: "bash", input: { command: "make again" } }),
    );

    expect((await f.call("POST", `/inbox/${second.id}/approve`)).status).toBe(202);
    await f.background.idle();
    expect((await task("perm")).state.status).toBe("merged");
    expect(f.engine.store.read.events.since(0, { taskId: "perm", types: ["task.tool-allowed"] })).toHaveLength(1);
  });

  it("deny: the reason goes to the agent in its session and it finds another way", async () => {
    await rest("deny", {
      steps: [{ permission: { tool: "curl", input: { url: "https://example.com" } } }],
      followUps: [[{ write: { path: "offline.txt", content: "offline\n" } }]],
    });
    const [item] = await inboxOf("deny");
    const res = await f.call("POST", `/inbox/${item.id}/deny`, { reason: "no network access" });
    expect(res.status).toBe(202);
    await f.background.idle();
    expect(sessionMessage("deny")).toMatch(/^Permission denied for curl: no network access\./);
    expect((await task("deny")).state.status).toBe("merged");
  });

  const EDIT: Script = {
    steps: [
      { say: { text: "editing the readme" } },
      { run: { cmd: "echo hello-from-tool" } },
      { replace: { path: "README.md", find: "line two", with: "line 2" } },
    ],
    followUps: [[{ append: { path: "README.md", content: "line three\n" } }]],
  };

  it("diff: a task's changes parsed with line numbers; a task without commits has an empty diff", async () => {
    // Write-sets of their own: a held task keeps its write lock, and an empty one locks everything.
    const held = await rest("edit", EDIT, { autoMerge: false, writes: ["README.md"] });
    expect(held.state.status).toBe("awaiting_merge");
    const res = await f.call("GET", "/tasks/edit/diff");
    expect(res.status).toBe(200);
    const diff = await json(res);
    expect(diff.head).toBe(git(f.repo, "rev-parse", "flotilla/edit"));
    expect(diff.base).toBe(git(f.repo, "merge-base", "flotilla/edit", "main"));
    expect(diff.truncated).toBe(false);
    expect(diff.files).toEqual([
      {
        path: "README.md",
        status: "modified",
        binary: false,
        additions: 1,
        deletions: 1,
        hunks: [
          {
            header: "@@ -1,2 +1,2 @@",
            oldStart: 1,
            oldLines: 2,
            newStart: 1,
            newLines: 2,
            lines: [
              { kind: "context", text: "# fixture", oldLine: 1, newLine: 1 },
              { kind: "del", text: "line two", oldLine: 2 },
              { kind: "add", text: "line 2", newLine: 2 },
            ],
          },
        ],
      },
    ]);
    expect(await client.diff("edit")).toEqual(diff);

    await f.call("POST", "/tasks", { id: "idle", prompt: "p", script: [], run: false });
    expect(await json(await f.call("GET", "/tasks/idle/diff"))).toEqual({
      taskId: "idle",
      base: "",
      head: "",
      files: [],
      truncated: false,
    });
    await expectError(await f.call("GET", "/tasks/nope/diff"), 404, "not_found");
  });

  it("transcript: what was said to the agent, its messages, tool calls with their results, status notices", async () => {
    const res = await f.call("GET", "/tasks/edit/transcript");
    expect(res.status).toBe(200);
    const t = await json(res);
    expect(t.taskId).toBe("edit");
    expect(t.lastSeq).toBeGreaterThanOrEqual(f.engine.store.read.events.latestSeq());
    const kinds = list(t.entries).map((e: { kind: string }) => e.kind);
    expect(kinds.slice(0, 3)).toEqual(["notice", "notice", "run"]); // queued → preparing → running, then the run
    expect(t.entries).toContainEqual(expect.objectContaining({ kind: "user", text: "do edit" }));
    expect(t.entries).toContainEqual(expect.objectContaining({ kind: "agent", text: "editing the readme" }));
    expect(t.entries).toContainEqual(
      expect.objectContaining({
        kind: "tool",
        name: "bash",
        input: { command: "echo hello-from-tool" },
        output: "hello-from-tool\n",
        isError: false,
      }),
    );
    // Run with autoMerge: false, it is held for approval: the notice says so.
    expect(t.entries).toContainEqual(
      expect.objectContaining({
        kind: "notice",
        topic: "status",
        text: "reviewing → awaiting_merge: held for approval: approve it in the inbox or run `flotilla merge edit`",
      }),
    );
    expect(await client.transcript("edit")).toEqual(t);
    await expectError(await f.call("GET", "/tasks/nope/transcript"), 404, "not_found");
  });

  it("export: a zip with transcript.json, transcript.md, diff.patch, events.jsonl and task.json", async () => {
    const res = await f.call("GET", "/tasks/edit/export");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/zip");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="flotilla-task-edit.zip"');
    const zip = unzipSync(new Uint8Array(await res.arrayBuffer()));
    expect(Object.keys(zip).sort()).toEqual([
      "diff.patch",
      "events.jsonl",
      "task.json",
      "transcript.json",
      "transcript.md",
    ]);
    const text = (name: string) => strFromU8(zip[name] ?? new Uint8Array());
    const transcript = JSON.parse(text("transcript.json"));
    const live = await json(await f.call("GET", "/tasks/edit/transcript"));
    expect(transcript.entries).toEqual(live.entries);
    expect(text("diff.patch")).toContain("diff --git a/README.md b/README.md");
    expect(text("diff.patch")).toContain("-line two\n+line 2\n");
    const events = text("events.jsonl")
      .trim()
      .split("\n")
      .map((l): Loose => JSON.parse(l));
    expect(events.length).toBe(f.engine.store.read.events.since(0, { taskId: "edit", limit: 100_000 }).length);
    expect(events[0]).toMatchObject({ seq: expect.any(Number), payload: { type: "task.created", taskId: "edit" } });
    const meta = JSON.parse(text("task.json"));
    expect(meta.task).toMatchObject({ id: "edit", state: { status: "awaiting_merge" } });
    expect(meta.runs[0]).toMatchObject({ taskId: "edit", role: "coder" });
    const md = text("transcript.md");
    expect(md).toMatch(/^# /);
    expect(md).toContain("> do edit");
    expect(md).toContain("**Tool `bash`**");
    expect(md).toContain("hello-from-tool");
    const bytes = await client.exportTask("edit");
    expect(Object.keys(unzipSync(bytes))).toHaveLength(5);
    await expectError(await f.call("GET", "/tasks/nope/export"), 404, "not_found");
  });

  it("follow-up: refused with a clear 409 where more agent work makes no sense; 404 / 400 for bad input", async () => {
    const seq = f.engine.store.read.events.latestSeq();
    const runs = runCount("edit");
    const merged = await expectError(
      await f.call("POST", "/tasks/ask/follow-up", { text: "more" }),
      409,
      "illegal_transition",
    );
    expect(merged.error.message).toMatch(/task ask: it is merged/);
    const queued = await expectError(
      await f.call("POST", "/tasks/idle/follow-up", { text: "more" }),
      409,
      "illegal_transition",
    );
    expect(queued.error.message).toMatch(/not started/);
    await expectError(await f.call("POST", "/tasks/nope/follow-up", { text: "more" }), 404, "not_found");
    await expectError(await f.call("POST", "/tasks/edit/follow-up", { text: "" }), 400, "invalid_input");
    await expectError(await f.call("POST", "/tasks/edit/follow-up", {}), 400, "invalid_input");
    unchanged(seq, "edit", "awaiting_merge", runs);
  });

  it("follow-up on a task held for approval: the message goes into its session, then verify → review → held again, not merged", async () => {
    const mainBefore = git(f.repo, "rev-parse", "main");
    const res = await f.call("POST", "/tasks/edit/follow-up", { text: "Please add a third line." });
    expect(res.status).toBe(202);
    expect((await json(res)).id).toBe("edit");
    await f.background.idle();
    const held = await task("edit");
    expect(held.state).toEqual({ status: "awaiting_merge", reason: expect.stringMatching(/^held for approval/) });
    expect(held.holdForApproval).toBe(true);
    expect(git(f.repo, "rev-parse", "main")).toBe(mainBefore);
    expect(git(held.worktreePath, "show", "HEAD:README.md")).toBe("# fixture\nline 2\nline three");
    expect(sessionMessage("edit")).toBe("Please add a third line.");
    const sessions = coderSessions("edit");
    expect(sessions).toEqual([sessions[0], sessions[0]]);
    expect(await saidToCoder("edit")).toEqual(["do edit", "Please add a third line."]);
    // Waiting for a person: an approval item in the inbox.
    expect(await inboxOf("edit")).toEqual([
      expect.objectContaining({ kind: "approval", text: held.state.reason, actions: ["approve", "deny"] }),
    ]);
  });

  it("review comments: a comment on a line the moved head no longer has is 400 naming it (nothing sent); valid ones reach the agent as one message", async () => {
    const held = await rest(
      "rev",
      {
        steps: [{ write: { path: "review.txt", content: "alpha\nbeta\ngamma\n" } }],
        followUps: [[{ replace: { path: "review.txt", find: "beta", with: "BETA" } }]],
      },
      { autoMerge: false, writes: ["review.txt"] },
    );
    expect(held.state.status).toBe("awaiting_merge");
    const read = await client.diff("rev");
    expect(read.files[0]?.hunks[0]?.lines.map((l) => l.newLine)).toEqual([1, 2, 3]);

    // The branch moves on after the reviewer read it: line 3 is gone.
    const worktree: string = held.worktreePath;
    writeFileSync(join(worktree, "review.txt"), "alpha\nbeta\n");
    git(worktree, "add", "-A");
    git(worktree, "commit", "-q", "-m", "drop gamma");

    const seq = f.engine.store.read.events.latestSeq();
    const runs = runCount("rev");
    const stale = await expectError(
      await f.call("POST", "/tasks/rev/review-comments", {
        head: read.head,
        comments: [
          { path: "review.txt", line: 1, body: "fine" },
          { path: "review.txt", line: 3, body: "why gamma?" },
          { path: "missing.txt", line: 1, side: "old", body: "?" },
        ],
      }),
      400,
      "invalid_input",
    );
    expect(stale.error.message).toContain("review.txt:3");
    expect(stale.error.message).toContain("missing.txt:1");
    expect(stale.error.message).not.toContain("review.txt:1");
    expect(stale.error.message).toMatch(/head moved from/);
    expect(stale.error.data.comments).toEqual([
      { path: "review.txt", line: 3, side: "new" },
      { path: "missing.txt", line: 1, side: "old" },
    ]);
    unchanged(seq, "rev", "awaiting_merge", runs);
    await expectError(
      await f.call("POST", "/tasks/rev/review-comments", { head: "zz", comments: [] }),
      400,
      "invalid_input",
    );

    const now = await client.diff("rev");
    expect(now.head).not.toBe(read.head);
    const res = await f.call("POST", "/tasks/rev/review-comments", {
      head: now.head,
      summary: "One thing.",
      comments: [{ path: "review.txt", line: 2, body: "Make beta loud." }],
    });
    expect(res.status).toBe(202);
    await f.background.idle();
    const message = sessionMessage("rev");
    expect(message).toContain("One thing.");
    expect(message).toContain("review.txt:2\n> beta\nMake beta loud.");
    expect((await saidToCoder("rev")).at(-1)).toBe(message);
    // Held for approval (autoMerge: false): back in awaiting_merge, not merged.
    expect((await task("rev")).state).toMatchObject({
      status: "awaiting_merge",
      reason: expect.stringMatching(/^held for approval/),
    });
    expect(() => git(f.repo, "show", "main:review.txt")).toThrow();

    // Approving ONE held task lands that one only: edit (held too) stays where it is.
    expect((await f.call("POST", "/tasks/rev/merge")).status).toBe(202);
    await f.background.idle();
    expect((await task("rev")).state.status).toBe("merged");
    expect(git(f.repo, "show", "main:review.txt")).toBe("alpha\nBETA");
    expect((await task("edit")).state).toMatchObject({
      status: "awaiting_merge",
      reason: expect.stringMatching(/^held for approval/),
    });
    expect(git(f.repo, "show", "main:README.md")).toBe("# fixture\nline two");

    // Approving edit's inbox item lands it.
    const [approval] = await inboxOf("edit");
    expect((await f.call("POST", `/inbox/${approval.id}/approve`)).status).toBe(202);
    await f.background.idle();
    expect((await task("edit")).state.status).toBe("merged");
    expect((await task("edit")).holdForApproval).toBe(false);
    expect(git(f.repo, "show", "main:README.md")).toBe("# fixture\nline 2\nline three");
    expect(await inboxOf("edit")).toEqual([]);
  });

  it("every new route is in the OpenAPI document", async () => {
    const doc = await json(await f.call("GET", "/openapi.json"));
    for (const [path, method] of [
      ["/inbox", "get"],
      ["/inbox/{id}/answer", "post"],
      ["/inbox/{id}/approve", "post"],
      ["/inbox/{id}/deny", "post"],
      ["/tasks/{id}/follow-up", "post"],
      ["/tasks/{id}/diff", "get"],
      ["/tasks/{id}/review-comments", "post"],
      ["/tasks/{id}/transcript", "get"],
      ["/tasks/{id}/export", "get"],
    ] as const) {
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    expect(Object.keys(doc.paths["/tasks/{id}/export"].get.responses["200"].content)).toEqual(["application/zip"]);
  });
});
