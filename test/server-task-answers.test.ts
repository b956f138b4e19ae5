import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient, type FlotillaClient } from "@flotilla/client";
import { createEngine, type Engine } from "@flotilla/engine";
import type { ConfigInput } from "@flotilla/protocol";
import { createApp, createBackground, createInProcessClient, newToken, type Background } from "@flotilla/server";
import { isolatedEnv, makeRepo, tempDir } from "./support/fixtures.js";
import { HOST, json, type Loose } from "./server-support.js";

/**
 * `GET /tasks/:id/answers` (`taskAnswers` on the client): the orchestrator's answers to a task's
 * `ask` questions (runs of role orchestrator, not among `GET /tasks/:id/runs`) and the task's
 * usage with them. A real engine, its app called in process (app.request), the scripted agent
 * asking over a real MCP call, a scripted orchestrator with a `usage` step.
 */
describe("GET /tasks/:id/answers: the orchestrator's answers and the task's usage", () => {
  let root: ReturnType<typeof tempDir>;
  let engine: Engine;
  let background: Background;
  let call: (method: string, path: string, body?: unknown) => Promise<Response>;
  let http: FlotillaClient;

  beforeAll(async () => {
    root = tempDir("flotilla-server-answers-");
    const overrides: ConfigInput = {
      workflow: { steps: ["code", "merge"] },
      agents: { oracle: { provider: "scripted", role: "orchestrator" } },
      roles: { orchestrator: { agent: "oracle" } },
      mcp: {
        ask: "orchestrator",
        askScript: [{ usage: { inputTokens: 150, outputTokens: 50, costUsd: 0.02 } }, { say: { text: "Use SQLite." } }],
      },
    };
    engine = createEngine({ env: isolatedEnv(root.path), overrides });
    background = createBackground();
    const token = newToken();
    const app = createApp({ engine, auth: { token, allowedHosts: () => new Set([HOST]) }, background });
    call = (method, path, body) =>
      Promise.resolve(
        app.request(path, {
          method,
          headers: {
            host: HOST,
            authorization: `Bearer ${token}`,
            ...(body !== undefined ? { "content-type": "application/json" } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        }),
      );
    // The typed HTTP client over the app in process: its answer is parsed with the wire schema.
    http = createHttpClient({
      baseUrl: `http://${HOST}`,
      token,
      fetch: (input, init) =>
        Promise.resolve(
          app.request(input instanceof Request ? input.url : input instanceof URL ? input.href : input, {
            ...init,
            headers: { ...(init?.headers as Record<string, string>), host: HOST },
          }),
        ),
    });
    expect((await call("POST", "/projects", { path: makeRepo(join(root.path, "repo")), name: "repo" })).status).toBe(
      201,
    );
    for (const [id, steps] of [
      [
        "asker",
        [
          { usage: { inputTokens: 1000, outputTokens: 100, costUsd: 0.1 } },
          { mcp: { tool: "ask", input: { question: "Which database should I use?" } } },
          { write: { path: "src/db/index.js", content: "done\n" } },
        ],
      ],
      [
        "plain",
        [
          { usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.001 } },
          { write: { path: "src/x.js", content: "x\n" } },
        ],
      ],
    ] as const) {
      const res = await call("POST", "/tasks", { id, prompt: `do ${id}`, script: { steps } });
      expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);
      await background.idle();
      expect(engine.task(id).state.status, id).toBe("merged");
    }
  }, 120_000);
  afterAll(async () => {
    await background.stop();
    engine.close();
    root.cleanup();
  });

  it("lists each answer (with the run that asked) and the task's usage with them", async () => {
    const res = await call("GET", "/tasks/asker/answers");
    expect(res.status).toBe(200);
    const body: Loose = await json(res);
    const runs = ((await json(await call("GET", "/tasks/asker/runs"))) as { runs: { id: string; role: string }[] })
      .runs;
    expect(runs.map((r) => r.role)).toEqual(["coder"]); // the answer is not among the runs
    expect(body.answers).toEqual([
      expect.objectContaining({
        id: expect.stringMatching(/^ask_/),
        taskId: "asker",
        role: "orchestrator",
        askedBy: runs[0]?.id,
        agent: "oracle",
        attempt: 1,
        status: "succeeded",
        inputTokens: 150,
        outputTokens: 50,
        costUsd: 0.02,
      }),
    ]);
    expect(body.usage).toEqual({ inputTokens: 1150, outputTokens: 150, costUsd: expect.closeTo(0.12, 6), answers: 1 });
    // The same through the typed clients, HTTP (parsed with TaskAnswersSchema) and in process.
    expect(await http.taskAnswers("asker")).toEqual(body);
    expect(await createInProcessClient(engine, { background }).taskAnswers("asker")).toEqual(body);
  });

  it("a task without answers: an empty list, and its runs' usage alone", async () => {
    const res = await call("GET", "/tasks/plain/answers");
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      answers: [],
      usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.001, answers: 0 },
    });
    expect(await http.taskAnswers("plain")).toEqual({
      answers: [],
      usage: { inputTokens: 10, outputTokens: 5, costUsd: 0.001, answers: 0 },
    });
  });

  it("an unknown task is 404 not_found, naming it; a malformed id is 400", async () => {
    const res = await call("GET", "/tasks/nope/answers");
    expect(res.status).toBe(404);
    const body: Loose = await json(res);
    expect(body.error.code).toBe("not_found");
    expect(body.error.message).toContain('no task "nope"');
    await expect(http.taskAnswers("nope")).rejects.toMatchObject({ code: "not_found", status: 404 });
    const bad = await call("GET", `/tasks/${encodeURIComponent("a b")}/answers`);
    expect({ status: bad.status, code: (await json(bad)).error.code }).toEqual({ status: 400, code: "invalid_input" });
  });
});
