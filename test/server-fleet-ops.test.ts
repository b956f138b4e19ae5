import { createHash } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackground, createInProcessClient } from "@flotilla/server";
import type { Script } from "@flotilla/protocol";
import { git, waitFor } from "./support/fixtures.js";
import { appFixture, engineFixture, json, list, type AppFixture, type Loose } from "./server-support.js";

/** A ticket's YAML: a task that writes its own file. */
const ticketText = (id: string, extra: string[] = []) =>
  [
    `id: ${id}`,
    `prompt: write ${id}.txt`,
    "agent: scripted",
    `writes: [${id}.txt]`,
    ...extra,
    "script:",
    `  - write: { path: ${id}.txt, content: "${id}\\n" }`,
    "",
  ].join("\n");

/**
 * The fleet operations in process (app.request) on a real engine, real git and the scripted
 * agent: POST /tickets (what `flotilla enqueue` does), POST /projects/:ref/clean (`flotilla
 * clean`) and POST /resume (`flotilla resume`, in the server's background).
 */
describe("the fleet routes: tickets, a project's clean-up, resume", () => {
  let f: AppFixture;
  let project: Loose;
  beforeAll(async () => {
    f = appFixture();
    project = await json(await f.call("POST", "/projects", { path: f.repo, name: "repo" }));
  });
  afterAll(async () => f.close());

  const expectError = async (res: Response, status: number, code: string): Promise<Loose> => {
    const body: Loose = await json(res);
    expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
    return body;
  };

  it("POST /tickets stores a ticket's task queued (not run); bad tickets and bodies are refused, nothing stored", async () => {
    const missing = await expectError(await f.call("POST", "/tickets", {}), 400, "invalid_input");
    expect(list(missing.error.data.issues).map((i: { path: string }) => i.path)).toContain("text");
    const badName = await expectError(
      await f.call("POST", "/tickets", { text: ticketText("x"), file: "../t.yaml" }),
      400,
      "invalid_input",
    );
    expect(badName.error.data.issues[0].path).toBe("file");
    // The ticket's own problems, located in its text (file:line:col) as `flotilla enqueue` reports them.
    const selfDep = await expectError(
      await f.call("POST", "/tickets", { text: ticketText("loop", ["dependsOn: [loop]"]), file: "loop.yaml" }),
      400,
      "invalid_input",
    );
    expect(selfDep.error.message).toMatch(/loop\.yaml:\d+:\d+: .*depends on itself/);
    const badJson = await expectError(
      await f.call("POST", "/tickets", { text: "{ nope", file: "t.json" }),
      400,
      "invalid_input",
    );
    expect(badJson.error.message).toMatch(/t\.json:1:/);
    await expectError(await f.call("POST", "/tickets", "{not json"), 400, "invalid_input");
    await expectError(await f.call("POST", "/tickets", { text: ticketText("x"), project: "nope" }), 404, "not_found");
    expect(await json(await f.call("GET", "/tasks"))).toEqual({ tasks: [] });

    const res = await f.call("POST", "/tickets", { text: ticketText("t1", ["priority: 5", "title: One"]) });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({
      id: "t1",
      title: "One",
      projectId: project.id,
      priority: 5,
      writes: ["t1.txt"],
      agent: "scripted",
      state: { status: "queued" },
    });
    const asJson = JSON.stringify({
      id: "t2",
      prompt: "write t2.txt",
      script: [{ write: { path: "t2.txt", content: "t2" } }],
    });
    const second = await f.call("POST", "/tickets", { text: asJson, file: "t2.json", project: f.repo });
    expect(second.status).toBe(201);
    expect(await json(second)).toMatchObject({ id: "t2", title: "t2", state: { status: "queued" } });
    await expectError(await f.call("POST", "/tickets", { text: ticketText("t1") }), 409, "already_exists");
    await f.background.idle();
    // Stored, not run: the scheduler (resume) takes them.
    expect((await json(await f.call("GET", "/tasks/t1"))).state).toEqual({ status: "queued" });
  });

  it("POST /projects/:ref/clean: a dry run says what would go; then orphans and landed branches go, work stays", async () => {
    await expectError(await f.call("POST", "/projects/nope/clean"), 404, "not_found");
    await expectError(await f.call("POST", `/projects/${project.id}/clean`, { force: "yes" }), 400, "invalid_input");
    const tag = createHash("sha256").update(project.path).digest("hex").slice(0, 8);
    const worktrees = join(f.root, "home", "worktrees", `repo-${tag}`);
    git(f.repo, "branch", "flotilla/old-landed", "main");
    git(f.repo, "worktree", "add", "-q", "-b", "flotilla/orphan-clean", join(worktrees, "a"), "main");
    git(f.repo, "worktree", "add", "-q", "-b", "flotilla/orphan-dirty", join(worktrees, "b"), "main");
    writeFileSync(join(worktrees, "b", "wip.txt"), "precious");
    git(f.repo, "branch", "flotilla/abandoned", "main");
    git(f.repo, "worktree", "add", "-q", join(worktrees, "c"), "flotilla/abandoned");
    writeFileSync(join(worktrees, "c", "u.txt"), "u");
    git(join(worktrees, "c"), "add", "u.txt");
    git(join(worktrees, "c"), "commit", "-qm", "unmerged work");
    git(f.repo, "worktree", "remove", join(worktrees, "c"));

    const dry = await f.call("POST", `/projects/${encodeURIComponent(project.path)}/clean`, { dryRun: true });
    expect(dry.status).toBe(200);
    const planned = await json(dry);
    expect(planned).toEqual({
      removedWorktrees: [join(worktrees, "a")],
      removedBranches: expect.arrayContaining(["flotilla/old-landed"]),
      kept: expect.arrayContaining([
        { what: join(worktrees, "b"), why: "1 uncommitted change(s)" },
        { what: "flotilla/abandoned", why: expect.stringMatching(/not on the target branch/) },
      ]),
    });
    expect(existsSync(join(worktrees, "a"))).toBe(true);
    expect(git(f.repo, "branch", "--list", "flotilla/old-landed")).not.toBe("");

    const done = await json(await f.call("POST", `/projects/repo/clean`, { force: true }));
    expect(done.removedWorktrees).toEqual([join(worktrees, "a")]);
    expect(done.removedBranches).toEqual(expect.arrayContaining(["flotilla/old-landed", "flotilla/abandoned"]));
    expect(existsSync(join(worktrees, "a"))).toBe(false);
    expect(existsSync(join(worktrees, "b", "wip.txt"))).toBe(true);
    const branches = git(f.repo, "branch", "--list", "flotilla/*");
    expect(branches).not.toContain("old-landed");
    expect(branches).not.toContain("abandoned");
    expect(branches).toContain("orphan-dirty");
    // The queued tickets' tasks were not touched (they have no worktree yet).
    expect((await json(await f.call("GET", "/tasks/t1"))).state).toEqual({ status: "queued" });
  });

  it("POST /resume continues an interrupted task and runs the queued ones in the background; resume.finished names the run", async () => {
    const go = join(f.root, "go");
    const gated: Script = {
      steps: [
        { append: { path: "gated.txt", content: "one\n" } },
        { run: { cmd: `while [ ! -f ${go} ]; do sleep 0.05; done` } },
        { append: { path: "gated.txt", content: "two\n" } },
      ],
      followUps: [],
    };
    await f.call("POST", "/tasks", { id: "gated", prompt: "gated", script: gated, writes: ["gated.txt"], run: false });
    // Driven here with its own shutdown signal, then stopped mid-run: left interrupted.
    const stop = new AbortController();
    const running = f.engine.runTask("gated", { shutdown: stop.signal });
    await waitFor("the gated agent at work", () => f.engine.task("gated").state.status === "running");
    stop.abort();
    await running;
    expect(f.engine.task("gated").state.status).toBe("interrupted");
    writeFileSync(go, "");

    const since = (await json(await f.call("GET", "/events/log?limit=1"))).lastSeq;
    const res = await f.call("POST", "/resume");
    expect(res.status).toBe(202);
    const taken = await json(res);
    expect(taken.resumeId).toMatch(/^resume_/);
    expect(taken.interrupted).toEqual([]);
    expect(list(taken.tasks).map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining(["gated", "t1", "t2"]));
    expect(taken.tasks).toHaveLength(3);
    await f.background.idle();
    for (const id of ["gated", "t1", "t2"])
      expect((await json(await f.call("GET", `/tasks/${id}`))).state.status, id).toBe("merged");
    expect(git(f.repo, "show", "main:t1.txt")).toBe("t1");
    const page = await json(await f.call("GET", `/events/log?since=${since}&limit=10000`));
    const finished = list(page.events).filter((e: Loose) => e.payload.type === "resume.finished");
    expect(finished).toHaveLength(1);
    expect(finished[0].payload.resumeId).toBe(taken.resumeId);
    expect([...finished[0].payload.taskIds].sort()).toEqual(["gated", "t1", "t2"]);
    // It came after every status change of its tasks.
    const lastChange = list(page.events)
      .filter((e: Loose) => e.payload.type === "task.status-changed")
      .reduce((max: number, e: Loose) => Math.max(max, e.seq), 0);
    expect(finished[0].seq).toBeGreaterThan(lastChange);

    // Nothing left: an empty answer, no run, no event.
    const again = await json(await f.call("POST", "/resume"));
    expect(again).toMatchObject({ tasks: [], interrupted: [] });
    expect(f.background.running).toBe(0);
  });
});

describe("the fleet operations through the in-process client", () => {
  it("enqueue, cleanProject and resume are there without a port", async () => {
    const f = engineFixture();
    const background = createBackground();
    const client = createInProcessClient(f.engine, { background });
    try {
      const project = await client.addProject({ path: f.repo });
      const task = await client.enqueue({ text: ticketText("solo"), project: project.id });
      expect(task.state).toEqual({ status: "queued" });
      expect(await client.cleanProject(project.id, { dryRun: true })).toEqual({
        removedWorktrees: [],
        removedBranches: [],
        kept: [],
      });
      const resumed = await client.resume();
      expect(resumed.tasks.map((t) => t.id)).toEqual(["solo"]);
      await background.idle();
      expect(f.engine.task("solo").state.status).toBe("merged");
      await expect(client.enqueue({ text: ticketText("solo") })).rejects.toMatchObject({ code: "already_exists" });
      await expect(client.cleanProject("nope")).rejects.toMatchObject({ code: "not_found" });
    } finally {
      await background.stop();
      f.cleanup();
    }
  });
});
