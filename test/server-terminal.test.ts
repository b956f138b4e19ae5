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

/** The close, or a failure when the server has not closed it in time (it let it open). */
function closedWithin(term: Term, ms: number): Promise<{ code: number; reason: string }> {
  return Promise.race([
    term.closed,
    new Promise<never>((_, reject) =>
      setTimeout(() => {
        term.ws.terminate();
        reject(new Error(`the terminal was not closed within ${ms} ms`));
      }, ms),
    ),
  ]);
}

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

describe("the cap on open terminals", () => {
  let f: EngineFixture;
  let engine: Engine;
  let server: RunningServer;
  let token: string;
  let origin: string;
  const tasks: Task[] = [];
  const logs: string[] = [];
  const open = (taskId: string) => connect(server, taskId, { origin, headers: { cookie: `flotilla_token=${token}` } });
  /** Opens a terminal (retrying on 4429 for a while, should a closed one still hold its slot). */
  const openWhenFree = async (taskId: string): Promise<Term> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const term = await open(taskId);
      const early = await Promise.race([
        term.closed,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 300)),
      ]);
      if (early === undefined) return term;
      if (early.code !== 4429 || Date.now() > deadline) throw new Error(`closed ${early.code}: ${early.reason}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const refusedAsFull = async (taskId: string) => {
    const term = await open(taskId);
    const closed = await closedWithin(term, 5_000);
    expect(closed.code).toBe(4429);
    expect(closed.reason).toBe(
      "2 terminals are open, the most this server allows (--max-terminals): close one, then reconnect",
    );
  };

  beforeAll(async () => {
    f = engineFixture();
    engine = f.engine;
    const project = await engine.projects.add({ path: f.repo });
    for (const id of ["cap-a", "cap-b", "cap-c", "cap-d"]) {
      await engine.createTask(project, {
        id,
        prompt: id,
        agent: "scripted",
        script: FAIL,
        writes: [`${id}/**`],
        holdForApproval: true,
      });
      tasks.push(await engine.runTask(id, { shutdown: never }));
    }
    for (const t of tasks) expect(existsSync(t.worktreePath!)).toBe(true);
    server = await startServer({
      engine,
      port: 0,
      maxTerminals: 2,
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

  it("refuses one more with 4429 and a reason, starts no shell for it, and leaves the rest alone", async () => {
    const [a, b, c] = tasks;
    const first = await open(a!.id);
    const second = await open(b!.id);
    const pids = [await shellPid(first), await shellPid(second)];
    await refusedAsFull(c!.id);
    // Another terminal on a task that already has one is still one more.
    await refusedAsFull(a!.id);
    expect(logs.filter((l) => l.startsWith("terminal opened"))).toHaveLength(2);
    expect(logs.filter((l) => /refused: 2 terminals are open/.test(l))).toHaveLength(2);
    // The open ones work on, and so does the API.
    await first.run("echo still-$((3*3))", /still-9/);
    await second.run("echo still-$((4*4))", /still-16/);
    expect((await fetch(`${server.url}/tasks`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    first.ws.close();
    second.ws.close();
    await waitFor("both shells to end", () => pids.every((p) => !isProcessAlive(p)), 10_000);
  });

  it("one more waits a moment for a slot: a terminal closed meanwhile makes room for it", async () => {
    const [a, b, c] = tasks;
    const first = await openWhenFree(a!.id);
    const second = await openWhenFree(b!.id);
    const third = open(c!.id); // full: its upgrade waits
    await new Promise((r) => setTimeout(r, 300));
    first.ws.close(); // e.g. a page that goes from one task's terminal to another's
    const term = await third;
    await term.run("echo third-ok", /third-ok/); // it got the freed slot: a refusal opens no shell
    // Nobody makes room: refused after the wait, not at once.
    const t0 = Date.now();
    await refusedAsFull(a!.id);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_900);
    const pids = [await shellPid(second), await shellPid(term)];
    second.ws.close();
    term.ws.close();
    await waitFor("the shells to end", () => pids.every((p) => !isProcessAlive(p)), 10_000);
  });

  it("frees a slot when a terminal is closed, when its socket drops, and when its task ends", async () => {
    const [a, b, c, d] = tasks;
    // Closed by the client.
    const one = await openWhenFree(a!.id);
    const two = await openWhenFree(b!.id);
    await refusedAsFull(c!.id);
    const onePid = await shellPid(one);
    one.ws.close();
    await waitFor("the shell to end", () => !isProcessAlive(onePid), 10_000);
    const three = await openWhenFree(c!.id);
    await three.run("echo three-ok", /three-ok/);
    await refusedAsFull(d!.id);

    // Dropped: no close frame, the TCP connection just goes.
    const twoPid = await shellPid(two);
    two.ws.terminate();
    await waitFor("the dropped terminal's shell to end", () => !isProcessAlive(twoPid), 10_000);
    const four = await openWhenFree(d!.id);
    await four.run("echo four-ok", /four-ok/);
    await refusedAsFull(a!.id);

    // Its task ends: the worktree is cleaned, the terminal is closed by the server (4409).
    const threePid = await shellPid(three);
    expect((await engine.cleanTask(c!.id, { force: true })).removed).toBe(true);
    expect((await three.closed).code).toBe(4409);
    await waitFor("the cleaned task's shell to end", () => !isProcessAlive(threePid), 10_000);
    const five = await openWhenFree(a!.id);
    await five.run("echo five-ok", /five-ok/);
    await refusedAsFull(b!.id);

    const pids = [await shellPid(four), await shellPid(five)];
    four.ws.close();
    five.ws.close();
    await waitFor("the last shells to end", () => pids.every((p) => !isProcessAlive(p)), 10_000);
    // All free again: two at once.
    const six = await openWhenFree(a!.id);
    const seven = await openWhenFree(b!.id);
    await six.run("echo six-ok", /six-ok/);
    await seven.run("echo seven-ok", /seven-ok/);
    six.ws.close();
    seven.ws.close();
  });
});

describe("terminals turned off (--max-terminals 0)", () => {
  it("refuses every terminal with 4429, saying they are off", async () => {
    const f = engineFixture();
    const project = await f.engine.projects.add({ path: f.repo });
    await f.engine.createTask(project, {
      id: "off",
      prompt: "off",
      agent: "scripted",
      script: FAIL,
      holdForApproval: true,
    });
    await f.engine.runTask("off", { shutdown: never });
    const server = await startServer({
      engine: f.engine,
      port: 0,
      maxTerminals: 0,
      log: () => {},
      webRoot: "/nonexistent",
    });
    try {
      const token = readFileSync(server.tokenFile, "utf8").trim();
      const term = await connect(server, "off", { headers: { authorization: `Bearer ${token}` } });
      const closed = await closedWithin(term, 5_000);
      expect(closed.code).toBe(4429);
      expect(closed.reason).toMatch(/terminals are turned off on this server \(flotilla serve --max-terminals 0\)/);
    } finally {
      await server.close();
      f.cleanup();
    }
  }, 120_000);
});
