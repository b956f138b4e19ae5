import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Script } from "@flotilla/protocol";
import { git } from "./support/fixtures.js";
import { appFixture, BUMP, json, type AppFixture, type Loose } from "./server-support.js";

/** A script that leaves a file uncommitted and then waits until it is stopped. */
const WIP: Script = {
  steps: [{ say: { text: "working" } }, { write: { path: "wip.txt", content: "unsaved work\n" } }, { hang: {} }],
  followUps: [],
};

const until = async (check: () => Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** Config editing and worktree clean-up over the routes (app.request), on a real engine and git. */
describe("config editing and clean-up routes", () => {
  let f: AppFixture;
  let globalFile: string;
  beforeAll(async () => {
    f = appFixture();
    globalFile = join(f.root, "config", "flotilla", "config.yaml");
    expect((await f.call("POST", "/projects", { path: f.repo, name: "repo" })).status).toBe(201);
  });
  afterAll(async () => f.close());

  const expectError = async (res: Response, status: number, code: string): Promise<Loose> => {
    const body: Loose = await json(res);
    expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
    return body;
  };

  it("GET /config/file: the global file's text, empty before it exists", async () => {
    const file = await json(await f.call("GET", "/config/file?scope=global"));
    expect(file).toEqual({ path: globalFile, exists: false, text: "" });
    const project = await json(await f.call("GET", "/config/file?scope=project&project=repo"));
    expect(project).toEqual({ path: join(f.repo, ".flotilla", "config.yaml"), exists: false, text: "" });
    await expectError(await f.call("GET", "/config/file?scope=elsewhere"), 400, "invalid_input");
    await expectError(await f.call("GET", "/config/file?scope=project&project=nope"), 404, "not_found");
  });

  it("POST /config/validate and PUT /config/file: an invalid text names the field and line; nothing is written", async () => {
    const text = "defaults:\n  concurrency: lots\nworktrees:\n  pool: 0\n  colour: blue\n";
    const checked = await json(await f.call("POST", "/config/validate", { scope: "global", text }));
    expect(checked).toEqual({
      valid: false,
      path: globalFile,
      errors: [
        { path: "defaults.concurrency", line: 2, column: 16, message: expect.stringMatching(/number/) },
        { path: "worktrees.colour", line: 5, column: 3, message: 'unknown key "colour"' },
      ],
    });
    const saved = await f.call("PUT", "/config/file", { scope: "global", text });
    expect(saved.status).toBe(200);
    expect(await json(saved)).toEqual(checked);
    expect(existsSync(globalFile)).toBe(false);

    const syntax = await json(await f.call("POST", "/config/validate", { scope: "global", text: "defaults: [\n" }));
    expect(syntax.valid).toBe(false);
    expect(syntax.errors[0]).toMatchObject({ path: "(root)", line: expect.any(Number) });
    await expectError(await f.call("POST", "/config/validate", { scope: "global" }), 400, "invalid_input");
  });

  it("PUT /config/file saves a valid text, and the engine's config follows it", async () => {
    expect((await json(await f.call("GET", "/config"))).worktrees.pool).toBe(2);
    const text = "# mine\nworktrees:\n  pool: 0\n  cleanup:\n    onSuccess: keep\n";
    expect(await json(await f.call("POST", "/config/validate", { scope: "global", text }))).toEqual({
      valid: true,
      path: globalFile,
    });
    expect(existsSync(globalFile)).toBe(false); // validating writes nothing
    expect(await json(await f.call("PUT", "/config/file", { scope: "global", text }))).toEqual({
      valid: true,
      path: globalFile,
    });
    expect(readFileSync(globalFile, "utf8")).toBe(text);
    expect(await json(await f.call("GET", "/config/file?scope=global"))).toEqual({
      path: globalFile,
      exists: true,
      text,
    });
    expect((await json(await f.call("GET", "/config"))).worktrees.pool).toBe(0);
    expect(f.engine.globalConfig.worktrees.cleanup.onSuccess).toBe("keep");

    // A project's file: its merged config is read (and cached) first, then follows the save.
    expect((await json(await f.call("GET", "/config?project=repo"))).workflow.verifyRounds).toBe(1);
    const projectText = "workflow:\n  verifyRounds: 3\n";
    const ok = await json(
      await f.call("PUT", "/config/file", { scope: "project", project: "repo", text: projectText }),
    );
    expect(ok).toEqual({ valid: true, path: join(f.repo, ".flotilla", "config.yaml") });
    const merged = await json(await f.call("GET", "/config?project=repo"));
    expect(merged.workflow.verifyRounds).toBe(3);
    expect(merged.worktrees.pool).toBe(0); // the global layer is still under it
    const bad = await json(
      await f.call("PUT", "/config/file", {
        scope: "project",
        project: "repo",
        text: "workflow:\n  verifyRounds: -1\n",
      }),
    );
    expect(bad.errors).toEqual([
      { path: "workflow.verifyRounds", line: 2, column: 17, message: expect.stringMatching(/>=0|0/) },
    ]);
    expect(readFileSync(join(f.repo, ".flotilla", "config.yaml"), "utf8")).toBe(projectText);
  });

  it("POST /tasks/:id/clean removes a merged task's worktree (kept by the saved config); its branch stays", async () => {
    await f.call("POST", "/tasks", { id: "kept", prompt: "bump", script: BUMP });
    await f.background.idle();
    const task = await json(await f.call("GET", "/tasks/kept"));
    expect(task.state.status).toBe("merged");
    expect(task.worktreePath).toBeDefined(); // onSuccess: keep, from the config saved above
    const res = await f.call("POST", "/tasks/kept/clean");
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ taskId: "kept", removed: true, worktree: task.worktreePath });
    expect(existsSync(task.worktreePath)).toBe(false);
    expect((await json(await f.call("GET", "/tasks/kept"))).worktreePath).toBeUndefined();
    expect(await json(await f.call("POST", "/tasks/kept/clean", {}))).toEqual({
      taskId: "kept",
      removed: false,
      reason: "it has no worktree",
    });
    await expectError(await f.call("POST", "/tasks/nope/clean"), 404, "not_found");
    await expectError(await f.call("POST", "/tasks/kept/clean", { force: "yes" }), 400, "invalid_input");
  });

  it("clean refuses an active task and uncommitted work without force; with force the work is committed to the branch", async () => {
    await f.call("POST", "/tasks", { id: "wip", prompt: "work in progress", script: WIP });
    await until(async () =>
      existsSync(join((await json(await f.call("GET", "/tasks/wip"))).worktreePath ?? "/nowhere", "wip.txt")),
    );
    const running = await json(await f.call("POST", "/tasks/wip/clean", { force: true }));
    expect(running).toMatchObject({ taskId: "wip", removed: false, reason: expect.stringMatching(/it is running/) });

    expect((await json(await f.call("POST", "/tasks/wip/abort"))).state.status).toBe("cancelled");
    await f.background.idle();
    const task = await json(await f.call("GET", "/tasks/wip"));
    const worktree: string = task.worktreePath;
    expect(readFileSync(join(worktree, "wip.txt"), "utf8")).toBe("unsaved work\n");

    const refused = await json(await f.call("POST", "/tasks/wip/clean"));
    expect(refused).toMatchObject({ removed: false, worktree, reason: expect.stringMatching(/1 uncommitted change/) });
    expect(existsSync(join(worktree, "wip.txt"))).toBe(true);

    const forced = await json(await f.call("POST", "/tasks/wip/clean", { force: true }));
    expect(forced).toEqual({ taskId: "wip", removed: true, worktree });
    expect(existsSync(worktree)).toBe(false);
    expect(git(f.repo, "show", "flotilla/wip:wip.txt")).toBe("unsaved work");
    expect(git(f.repo, "log", "-1", "--format=%(trailers:key=Flotilla-Task,valueonly)", "flotilla/wip")).toBe("wip");
    const events = f.engine.store.read.events.since(0, { taskId: "wip", limit: 1000 }).map((e) => e.payload.type);
    expect(events.slice(-2)).toEqual(["task.committed", "worktree.removed"]);
  });

  it("clean keeps a worktree whose HEAD has commits that are not on the task's branch", async () => {
    await f.call("POST", "/tasks", { id: "detached", prompt: "work in progress", script: WIP });
    await until(async () => (await json(await f.call("GET", "/tasks/detached"))).state.status === "running");
    await f.call("POST", "/tasks/detached/abort");
    await f.background.idle();
    const worktree: string = (await json(await f.call("GET", "/tasks/detached"))).worktreePath;
    git(worktree, "checkout", "-q", "--detach");
    writeFileSync(join(worktree, "hand.txt"), "by hand\n");
    git(worktree, "add", "-A");
    git(worktree, "commit", "-q", "-m", "made by hand, off the branch");
    const kept = await json(await f.call("POST", "/tasks/detached/clean", { force: true }));
    expect(kept).toMatchObject({ removed: false, reason: expect.stringMatching(/not on flotilla\/detached/) });
    expect(existsSync(worktree)).toBe(true);
  });
});
