import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OPERATIONS } from "@flotilla/server";
import { git } from "./support/fixtures.js";
import { appFixture, BUMP, json, list, writeFile, type AppFixture, type Loose } from "./server-support.js";

/** Every route in process (app.request) on a real engine, real git and the scripted agent. */
describe("the API's routes", () => {
  let f: AppFixture;
  let projectId: string;
  beforeAll(() => {
    f = appFixture();
  });
  afterAll(async () => f.close());

  const expectError = async (res: Response, status: number, code: string): Promise<Loose> => {
    const body: Loose = await json(res);
    expect({ status: res.status, code: body.error?.code }).toEqual({ status, code });
    expect(typeof body.error.message).toBe("string");
    return body;
  };

  it("GET /health answers without a token", async () => {
    const res = await f.app.request("/health", { headers: { host: "127.0.0.1:7600" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, version: "0.1.0" });
  });

  it("GET /openapi.json describes every route the app has", async () => {
    const doc = await json(await f.call("GET", "/openapi.json"));
    expect(doc.openapi).toBe("3.1.0");
    const documented = new Set(
      Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ":$1")}`),
      ),
    );
    const real = f.app.routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`);
    expect([...new Set(real)].sort()).toEqual([...documented].sort());
    expect(OPERATIONS.length).toBe(documented.size);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(["Task", "CreateTaskRequest", "ErrorBody"]),
    );
  });

  it("GET /openapi.json: a request body is required exactly where the route refuses a request without one", async () => {
    // Early, before any project or task exists: a route that takes no body gets as far as
    // looking up the unknown ids ("nope": 404), or does nothing (POST /resume: nothing to take).
    const doc = await json(await f.call("GET", "/openapi.json"));
    const seen: { op: string; required: boolean }[] = [];
    const answered: { op: string; required: boolean }[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Loose>>))
      for (const [method, op] of Object.entries(ops)) {
        if (op.requestBody === undefined) continue;
        const name = `${method.toUpperCase()} ${path}`;
        seen.push({ op: name, required: op.requestBody.required });
        const res = await f.call(method.toUpperCase(), path.replace(/\{\w+\}/g, "nope"));
        const body: Loose = res.status === 400 ? await json(res) : undefined;
        if (body !== undefined) {
          // Refused for the missing body itself: the body as a whole, not one of its fields.
          const issues: Loose[] = body.error.data?.issues ?? [];
          expect(
            issues.every((i: { path: string }) => i.path === "") &&
              (issues.length > 0 || /body/.test(body.error.message)),
            `${name}: ${body.error.message}`,
          ).toBe(true);
        }
        answered.push({ op: name, required: res.status === 400 });
      }
    expect(seen).toEqual(answered);
    const optional = seen.filter((o) => !o.required).map((o) => o.op);
    expect(optional.sort()).toEqual([
      "POST /inbox/{id}/approve",
      "POST /inbox/{id}/deny",
      "POST /projects/{ref}/clean",
      "POST /resume",
      "POST /tasks/{id}/clean",
    ]);
    const resume = doc.paths["/resume"].post.requestBody;
    expect(resume).toMatchObject({ required: false, content: { "application/json": { schema: expect.any(Object) } } });
    expect(f.background.running).toBe(0);
  });

  it("projects: add (absolute paths only), list, select, remove", async () => {
    await expectError(await f.call("POST", "/projects", { path: "relative/repo" }), 400, "invalid_input");
    await expectError(await f.call("POST", "/projects", { path: "/no/such/dir" }), 400, "invalid_input");
    await expectError(await f.call("POST", "/projects", {}), 400, "invalid_input");
    const added = await f.call("POST", "/projects", { path: f.repo, name: "repo" });
    expect(added.status).toBe(201);
    const project = await json(added);
    projectId = project.id;
    expect(project).toMatchObject({ name: "repo", path: expect.stringMatching(/repo$/) });
    expect(await json(await f.call("GET", "/projects"))).toEqual({ projects: [project], selectedProjectId: projectId });
    expect((await f.call("POST", `/projects/${encodeURIComponent(project.path)}/select`)).status).toBe(200);
    await expectError(await f.call("POST", "/projects/nope/select"), 404, "not_found");
    await expectError(await f.call("DELETE", "/projects/nope"), 404, "not_found");
  });

  it("POST /tasks: bad bodies are 400 with the issue's path; nothing is stored", async () => {
    const missing = await expectError(await f.call("POST", "/tasks", { agent: "scripted" }), 400, "invalid_input");
    expect(list(missing.error.data.issues).map((i: { path: string }) => i.path)).toContain("prompt");
    const badId = await expectError(
      await f.call("POST", "/tasks", { prompt: "x", id: "../etc" }),
      400,
      "invalid_input",
    );
    expect(badId.error.data.issues[0].path).toBe("id");
    await expectError(await f.call("POST", "/tasks", "{not json"), 400, "invalid_input");
    await expectError(await f.call("POST", "/tasks", { prompt: "x", project: "nope" }), 404, "not_found");
    expect(await json(await f.call("GET", "/tasks"))).toEqual({ tasks: [] });
  });

  it("POST /tasks runs a prompt task in the background until it is merged", async () => {
    const res = await f.call("POST", "/tasks", {
      id: "bump",
      prompt: "bump the value",
      agent: "scripted",
      script: BUMP,
    });
    expect(res.status).toBe(201);
    expect(await json(res)).toMatchObject({ id: "bump", projectId });
    await expectError(await f.call("POST", "/tasks", { id: "bump", prompt: "again" }), 409, "already_exists");
    await f.background.idle();
    const task = await json(await f.call("GET", "/tasks/bump"));
    expect(task.state.status).toBe("merged");
    const runs = await json(await f.call("GET", "/tasks/bump/runs"));
    expect(runs.runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.runs[0]).toMatchObject({ taskId: "bump", role: "coder", status: "succeeded" });
  });

  it("GET /tasks filters; unknown ids are 404; illegal moves are 409", async () => {
    expect(
      list((await json(await f.call("GET", "/tasks?status=merged"))).tasks).map((t: { id: string }) => t.id),
    ).toEqual(["bump"]);
    expect((await json(await f.call("GET", "/tasks?status=failed,queued"))).tasks).toEqual([]);
    expect((await json(await f.call("GET", `/tasks?project=${projectId}`))).tasks).toHaveLength(1);
    await expectError(await f.call("GET", "/tasks?status=bogus"), 400, "invalid_input");
    await expectError(await f.call("GET", "/tasks/nope"), 404, "not_found");
    await expectError(await f.call("GET", "/tasks/nope/runs"), 404, "not_found");
    await expectError(await f.call("POST", "/tasks/nope/abort"), 404, "not_found");
    await expectError(await f.call("POST", "/tasks/bump/retry"), 409, "illegal_transition");
    await expectError(await f.call("POST", "/tasks/bump/merge"), 409, "illegal_transition");
    await expectError(await f.call("POST", "/tasks/bump/abort"), 409, "illegal_transition");
  });

  it("abort a queued task, then retry it in the background", async () => {
    const created = await f.call("POST", "/tasks", {
      id: "later",
      prompt: "p",
      script: writeFile("later.txt"),
      run: false,
    });
    expect((await json(created)).state).toEqual({ status: "queued" });
    const aborted = await json(await f.call("POST", "/tasks/later/abort"));
    expect(aborted.state.status).toBe("cancelled");
    const retried = await f.call("POST", "/tasks/later/retry");
    expect(retried.status).toBe(202);
    await f.background.idle();
    expect((await json(await f.call("GET", "/tasks/later"))).state.status).toBe("merged");
  });

  it("a task left awaiting merge is in the merge queue until POST /tasks/:id/merge lands it", async () => {
    await f.call("POST", "/tasks", { id: "held", prompt: "p", script: writeFile("held.txt"), autoMerge: false });
    await f.background.idle();
    const queue = await json(await f.call("GET", "/merges"));
    expect(list(queue.tasks).map((t: { id: string }) => t.id)).toEqual(["held"]);
    expect(Array.isArray(queue.batches)).toBe(true);
    expect((await f.call("GET", `/merges?project=${projectId}`)).status).toBe(200);
    await expectError(await f.call("GET", "/merges?project=nope"), 404, "not_found");
    expect((await f.call("POST", "/tasks/held/merge")).status).toBe(202);
    await f.background.idle();
    expect((await json(await f.call("GET", "/tasks/held"))).state.status).toBe("merged");
    expect((await json(await f.call("GET", "/merges"))).tasks).toEqual([]);
  });

  const PLAN = `name: pair
tasks:
  - id: one
    prompt: write one
    writes: [one.txt]
    script: { steps: [ { write: { path: one.txt, content: "1" } } ] }
  - id: two
    prompt: write two
    dependsOn: [one]
    writes: [two.txt]
    script: { steps: [ { write: { path: two.txt, content: "2" } } ] }
`;
  let planId: string;

  it("plans: validate gives line:col for every problem; a bad plan is not run", async () => {
    expect(await json(await f.call("POST", "/plans/validate", { text: PLAN }))).toEqual({
      valid: true,
      tasks: 2,
      dependencies: 1,
      order: ["one", "two"],
    });
    const cyclic = PLAN.replace("prompt: write one", "prompt: write one\n    dependsOn: [two]");
    const bad = await json(await f.call("POST", "/plans/validate", { text: cyclic, file: "cycle.yaml" }));
    expect(bad.valid).toBe(false);
    expect(bad.errors[0]).toMatchObject({ file: "cycle.yaml", line: expect.any(Number), column: expect.any(Number) });
    expect(bad.errors[0].message).toMatch(/cycle/);
    const syntax = await json(await f.call("POST", "/plans/validate", { text: "tasks: [", file: "x.yaml" }));
    expect(syntax).toMatchObject({ valid: false, errors: [{ line: 1 }] });
    await expectError(await f.call("POST", "/plans/validate", { text: 3 }), 400, "invalid_input");
    await expectError(await f.call("POST", "/plans/validate", { text: PLAN, file: "../x" }), 400, "invalid_input");
    const refused = await expectError(await f.call("POST", "/plans", { text: cyclic }), 400, "invalid_input");
    expect(refused.error.data.issues.length).toBeGreaterThan(0);
    expect(await json(await f.call("GET", "/plans"))).toEqual({ plans: [] });
  });

  it("plans: create and run in the background, then read", async () => {
    const res = await f.call("POST", "/plans", { text: PLAN, concurrency: 2 });
    expect(res.status).toBe(201);
    const created = await json(res);
    planId = created.plan.id;
    expect(created.plan).toMatchObject({ name: "pair", concurrency: 2, projectId });
    expect(list(created.tasks).map((t: { planKey: string }) => t.planKey)).toEqual(["one", "two"]);
    await f.background.idle();
    const detail = await json(await f.call("GET", `/plans/${planId}`));
    expect(list(detail.tasks).map((t: { state: { status: string } }) => t.state.status)).toEqual(["merged", "merged"]);
    expect(detail.plan.finishedAt).toEqual(expect.any(String));
    expect((await json(await f.call("GET", `/plans?project=${projectId}`))).plans).toHaveLength(1);
    await expectError(await f.call("GET", "/plans/plan_nope"), 404, "not_found");
  });

  it("metrics, config and CI records", async () => {
    const metrics = await json(await f.call("GET", "/metrics"));
    expect(list(metrics.tasks).map((t: { taskId: string }) => t.taskId)).toContain("bump");
    const forPlan = await json(await f.call("GET", `/metrics?plan=${planId}`));
    expect(forPlan.tasks).toHaveLength(2);
    expect(forPlan.plans[0]).toMatchObject({ planId, tasks: 2, merged: 2 });
    const config = await json(await f.call("GET", "/config"));
    expect(config.defaults.verify).toBe("npm test --silent");
    expect((await f.call("GET", `/config?project=${projectId}`)).status).toBe(200);
    await expectError(await f.call("GET", "/config?project=nope"), 404, "not_found");
    const head = git(f.repo, "rev-parse", "main");
    expect(await json(await f.call("GET", `/ci/${head.slice(0, 10)}`))).toMatchObject({ commit: head, status: "pass" });
    await expectError(await f.call("GET", "/ci/not-hex"), 400, "invalid_input");
    await expectError(await f.call("GET", "/ci/abcdef0123"), 404, "not_found");
  });

  it("the event log, the snapshot, unknown routes", async () => {
    const log = await json(await f.call("GET", "/events/log?since=0&limit=5"));
    expect(list(log.events).map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    const forTask = await json(await f.call("GET", "/events/log?task=bump&limit=10000"));
    expect(list(forTask.events).every((e: { payload: { taskId?: string } }) => e.payload.taskId === "bump")).toBe(true);
    await expectError(await f.call("GET", "/events/log?limit=abc"), 400, "invalid_input");
    const snap = await json(await f.call("GET", "/snapshot"));
    expect(snap.seq).toBe(log.lastSeq);
    expect(snap.tasks.length).toBe(5);
    expect(snap.runs.length).toBeGreaterThanOrEqual(5);
    await expectError(await f.call("GET", "/events?since=-1"), 400, "invalid_input");
    await expectError(await f.call("GET", "/nowhere"), 404, "not_found");
  });

  it("removing a project", async () => {
    expect(await json(await f.call("DELETE", `/projects/${projectId}`))).toMatchObject({ id: projectId });
    expect(await json(await f.call("GET", "/projects"))).toEqual({ projects: [] });
  });
});
