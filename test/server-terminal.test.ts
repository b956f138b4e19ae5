import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { isProcessAlive, type Engine } from "@flotilla/engine";
import type { Project, Script, Task } from "@flotilla/protocol";
import { startServer, type RunningServer } from "@flotilla/server";
import { engineFixture, writeFile, type EngineFixture } from "./server-support.js";
import { waitFor } from "./support/fixtures.js";

const never = new AbortController().signal;

interface Term {
  ws: WebSocket;
  output(): string;
  closed: Promise<{ code: number; reason: string }>;
  /** Types a line and waits for `expect` in the output after it. */
  run(line: string, expect: RegExp): Promise<RegExpMatchArray>;
}

/** A real `ws` client on a task's terminal; rejects with the HTTP status when the upgrade is refused. */
function connect(
  server: RunningServer,
  taskId: string,
  options: { headers?: Record<string, string>; origin?: string; query?: string } = {},
): Promise<Term> {
  const url = `ws://127.0.0.1:${server.port}/tasks/${taskId}/terminal${options.query ?? ""}`;
  const ws = new WebSocket(url, {
    headers: options.headers ?? {},
    ...(options.origin !== undefined ? { origin: options.origin } : {}),
  });
  let out = "";
  ws.on("message", (data: Buffer) => (out += data.toString("utf8")));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  return new Promise((resolve, reject) => {
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () =>
        reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode, body })),
      );
    });
    ws.on("error", (err) => reject(err));
    ws.on("open", () =>
      resolve({
        ws,
        output: () => out,
        closed,
        async run(line, expected) {
          const from = out.length;
          ws.send(Buffer.from(line + "\r"));
          return waitFor(
            `${expected} after typing ${line}`,
            () => out.slice(from).match(expected) ?? undefined,
            15_000,
          );
        },
      }),
    );
  });
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => ({ status: 0, body: "" }),
    (e: { status?: number; body?: string }) => ({ status: e.status ?? -1, body: e.body ?? "" }),
  );

async function shellPid(term: Term): Promise<number> {
  const m = await term.run("echo PID=$$", /PID=(\d+)/);
  return Number(m[1]);
}

const FAIL: Script = {
  steps: [{ write: { path: "half.txt", content: "half\n" } }, { fail: { message: "gave up" } }],
  followUps: [],
};

describe("a task's terminal over WebSocket", () => {
  let f: EngineFixture;
  let engine: Engine;
  let server: RunningServer;
  let token: string;
  let project: Project;
  let waiting: Task;
  let failed: Task;
  let spare: Task;
  const logs: string[] = [];
  let origin: string;
  const cookie = () => ({ cookie: `flotilla_token=${token}` });

  beforeAll(async () => {
    f = engineFixture();
    engine = f.engine;
    project = await engine.projects.add({ path: f.repo });
    const make = async (id: string, script: Script) => {
      // Write-sets of their own, so that none waits for the write-lock of one awaiting merge.
      await engine.createTask(project, {
        id,
        prompt: id,
        agent: "scripted",
        script,
        writes: [`${id}/**`],
        holdForApproval: true,
      });
      return engine.runTask(id, { shutdown: never });
    };
    waiting = await make("term-a", writeFile("term-a/a.txt"));
    failed = await make("term-b", FAIL);
    spare = await make("term-c", FAIL);
    expect(waiting.state.status).toBe("awaiting_merge");
    expect(failed.state.status).toBe("failed");
    expect(existsSync(failed.worktreePath!)).toBe(true);
    server = await startServer({
      engine,
      port: 0,
      log: (l) => logs.push(l),
      logRequests: true,
      webRoot: "/nonexistent",
    });
    token = readFileSync(server.tokenFile, "utf8").trim();
    origin = `http://127.0.0.1:${server.port}`;
  }, 120_000);
  afterAll(async () => {
    await server.close();
    f.cleanup();
  });

  it("refuses an upgrade without the token, from another origin, without an Origin on the cookie, or to another Host", async () => {
    expect((await refusal(connect(server, waiting.id, { origin }))).status).toBe(401);
    expect(
      (await refusal(connect(server, waiting.id, { origin, headers: { cookie: "flotilla_token=wrong" } }))).status,
    ).toBe(401);
    const foreign = await refusal(connect(server, waiting.id, { origin: "http://evil.example", headers: cookie() }));
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).error.data.reason).toBe("origin_not_allowed");
    expect((await refusal(connect(server, waiting.id, { origin: "null", headers: cookie() }))).status).toBe(403);
    // A browser always sends Origin: a cookie without one is not a browser on this page.
    expect((await refusal(connect(server, waiting.id, { headers: cookie() }))).status).toBe(403);
    expect(
      (
        await refusal(
          connect(server, waiting.id, { origin: "http://evil.example", headers: { authorization: `Bearer ${token}` } }),
        )
      ).status,
    ).toBe(403);
    expect(
      (await refusal(connect(server, waiting.id, { origin, headers: { ...cookie(), host: "evil.example" } }))).status,
    ).toBe(421);
    // Plain GET without the upgrade: 426, and the route needs the token like any other.
    const plain = await fetch(`${server.url}/tasks/${waiting.id}/terminal`, { headers: cookie() });
    expect(plain.status).toBe(426);
    expect((await fetch(`${server.url}/tasks/${waiting.id}/terminal`)).status).toBe(401);
  });

  it("runs a real shell in the task's worktree: keystrokes in, output out, resize", async () => {
    const term = await connect(server, waiting.id, { origin, headers: cookie(), query: "?cols=90&rows=30" });
    await term.run("echo hello-$((6*7))", /hello-42/);
    await term.run("pwd", new RegExp(waiting.worktreePath!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    await term.run("stty size", /30 90/);
    term.ws.send(JSON.stringify({ type: "resize", cols: 123, rows: 45 }));
    await term.run("stty size", /45 123/);
    // Text frames that are not a control message are keystrokes too.
    const from = term.output().length;
    term.ws.send('echo "text-$((2+3))"\r');
    await waitFor("text frame", () => /text-5/.test(term.output().slice(from)));
    const pid = await shellPid(term);
    const bg = Number((await term.run("sleep 300 & echo BG=$!", /BG=(\d+)/))[1]);
    expect(isProcessAlive(pid)).toBe(true);
    expect(isProcessAlive(bg)).toBe(true);
    term.ws.close();
    await waitFor("the shell and its job to end", () => !isProcessAlive(pid) && !isProcessAlive(bg), 10_000);
  });

  it("a Bearer token without an Origin (not a browser) may open it", async () => {
    const term = await connect(server, waiting.id, { headers: { authorization: `Bearer ${token}` } });
    await term.run("echo bearer-$((1+1))", /bearer-2/);
    const pid = await shellPid(term);
    term.ws.close();
    await waitFor("the shell to end", () => !isProcessAlive(pid), 10_000);
  });

  it("closes with a reason for an unknown task", async () => {
    const term = await connect(server, "no-such-task", { origin, headers: cookie() });
    const closed = await term.closed;
    expect(closed.code).toBe(4404);
    expect(closed.reason).toMatch(/no task "no-such-task"/);
  });

  it("ends the shell when the task is cleaned (its worktree removed)", async () => {
    const term = await connect(server, failed.id, { origin, headers: cookie() });
    const pid = await shellPid(term);
    const bg = Number((await term.run("sleep 300 & echo BG=$!", /BG=(\d+)/))[1]);
    const cleaned = await engine.cleanTask(failed.id, { force: true });
    expect(cleaned.removed).toBe(true);
    const closed = await term.closed;
    expect(closed.code).toBe(4409);
    expect(closed.reason).toMatch(/worktree was removed/);
    await waitFor("the shell and its job to end", () => !isProcessAlive(pid) && !isProcessAlive(bg), 10_000);
    // And no new one: the worktree is gone.
    const again = await connect(server, failed.id, { origin, headers: cookie() });
    expect((await again.closed).code).toBe(4409);
  });

  it("ends the shell when the task is merged", async () => {
    const term = await connect(server, waiting.id, { origin, headers: cookie() });
    const pid = await shellPid(term);
    const merged = await engine.merge(waiting.id, { shutdown: never });
    expect(merged.state.status).toBe("merged");
    const closed = await term.closed;
    expect(closed.code).toBe(4409);
    await waitFor("the shell to end", () => !isProcessAlive(pid), 10_000);
  });

  it("never logs keystrokes or output", () => {
    const all = logs.join("\n");
    expect(all).toContain(`terminal opened for task ${waiting.id}`);
    expect(all).not.toMatch(/hello|echo|stty|bearer-|sleep/);
  });

  it("ends every shell when the server closes", async () => {
    const term = await connect(server, spare.id, { origin, headers: cookie() });
    const pid = await shellPid(term);
    const bg = Number((await term.run("sleep 300 & echo BG=$!", /BG=(\d+)/))[1]);
    await server.close();
    expect(isProcessAlive(pid)).toBe(false);
    expect(isProcessAlive(bg)).toBe(false);
    expect((await term.closed).code).toBe(1001);
  });
});
