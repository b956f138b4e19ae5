import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine, loadConfig, type Engine } from "@flotilla/engine";
import type { ConfigInput, Project, TaskSpec } from "@flotilla/protocol";
import { isolatedEnv, makeRepo, tempDir } from "./support/fixtures.js";

const never = new AbortController().signal;
const SECRET = "s3cret-for-tests";

interface Received {
  body: string;
  signature: string | undefined;
}

/** A webhook receiver on 127.0.0.1 that answers `statuses` in turn (then 200). */
async function receiver(statuses: number[] = []): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const sig = req.headers["x-flotilla-signature"];
      got.push({ body, signature: Array.isArray(sig) ? sig[0] : sig });
      res.statusCode = statuses.shift() ?? 200;
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, got, server };
}

describe("notifications", () => {
  let root: ReturnType<typeof tempDir>;
  let repo: string;
  let engine: Engine | undefined;
  let servers: Server[] = [];

  beforeEach(() => {
    root = tempDir("flotilla-notify-");
    repo = makeRepo(join(root.path, "repo"));
  });
  afterEach(async () => {
    engine?.close();
    engine = undefined;
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    servers = [];
    root.cleanup();
  });

  async function withEngine(
    notifications: ConfigInput["notifications"],
  ): Promise<{ engine: Engine; project: Project }> {
    engine = createEngine({
      env: isolatedEnv(root.path),
      overrides: { defaults: { verify: "npm test --silent" }, notifications },
    });
    return { engine, project: await engine.projects.add({ path: repo }) };
  }
  async function run(e: Engine, project: Project, spec: Partial<TaskSpec>) {
    const task = await e.createTask(project, { prompt: "p", review: false, ...spec });
    return e.runTask(task.id, { shutdown: never });
  }

  it("a webhook gets HMAC-signed JSON for merged, failed and needs_input", async () => {
    const hook = await receiver();
    servers.push(hook.server);
    const { engine: e, project } = await withEngine({ webhooks: [{ url: hook.url, secret: SECRET }] });
    const merged = await run(e, project, { writes: ["a.txt"], script: [{ write: { path: "a.txt", content: "a\n" } }] });
    const failed = await run(e, project, { script: [{ fail: { message: "no luck" } }] });
    const asking = await run(e, project, { script: [{ ask: { question: "Which port?" } }] });
    expect([merged.state.status, failed.state.status, asking.state.status]).toEqual([
      "merged",
      "failed",
      "needs_input",
    ]);
    await e.notifier.idle();
    for (const r of hook.got) {
      const expected = `sha256=${createHmac("sha256", SECRET).update(r.body).digest("hex")}`;
      expect(r.signature).toBe(expected);
    }
    const bodies = hook.got.map((r) => JSON.parse(r.body) as { event: string; taskId: string; summary: string });
    expect(bodies.map((b) => [b.event, b.taskId])).toEqual([
      ["merged", merged.id],
      ["failed", failed.id],
      ["needs_input", asking.id],
    ]);
    expect(bodies[1]?.summary).toContain("no luck");
    expect(bodies[2]?.summary).toContain("Which port?");
    expect(hook.got.some((r) => r.body.includes(SECRET))).toBe(false);
  });

  it("a receiver that fails twice (500) gets the third try; only the chosen events are sent", async () => {
    const hook = await receiver([500, 500]);
    servers.push(hook.server);
    const { engine: e, project } = await withEngine({
      webhooks: [{ url: hook.url, secret: SECRET, events: ["failed"], backoffMs: 20 }],
    });
    await run(e, project, { writes: ["a.txt"], script: [{ write: { path: "a.txt", content: "a\n" } }] });
    const failed = await run(e, project, { script: [{ fail: { message: "boom" } }] });
    await e.notifier.idle();
    expect(hook.got).toHaveLength(3);
    expect(new Set(hook.got.map((r) => r.body)).size).toBe(1);
    expect(JSON.parse(hook.got[2]?.body ?? "{}")).toMatchObject({ event: "failed", taskId: failed.id });
  });

  it("a dead webhook never blocks the pipeline, and its error does not carry the secret", async () => {
    const errors: string[] = [];
    const origWrite = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    };
    try {
      const { engine: e, project } = await withEngine({
        webhooks: [{ url: "http://127.0.0.1:9/hook", secret: SECRET, retries: 1, backoffMs: 10, timeoutMs: 500 }],
      });
      const t = await run(e, project, { writes: ["a.txt"], script: [{ write: { path: "a.txt", content: "a\n" } }] });
      expect(t.state.status).toBe("merged");
      await e.notifier.idle();
    } finally {
      process.stderr.write = origWrite;
    }
    const text = errors.join("");
    expect(text).toMatch(/webhook http:\/\/127\.0\.0\.1:9\/hook failed after 2 attempt/);
    expect(text).not.toContain(SECRET);
  });

  it("a command notifier gets the event in its environment (argv, no shell)", async () => {
    const out = join(root.path, "event.json");
    const { engine: e, project } = await withEngine({
      commands: [
        {
          argv: [
            process.execPath,
            "-e",
            "require('fs').writeFileSync(process.argv[1], process.env.FLOTILLA_EVENT_JSON)",
            out,
          ],
          events: ["merged"],
        },
      ],
    });
    const t = await run(e, project, { writes: ["a.txt"], script: [{ write: { path: "a.txt", content: "a\n" } }] });
    await e.notifier.idle();
    expect(existsSync(out)).toBe(true);
    expect(JSON.parse(readFileSync(out, "utf8"))).toMatchObject({ event: "merged", taskId: t.id });
  });

  it("a webhook URL that is not http(s) is refused when the config loads, with the key path", () => {
    const dir = join(root.path, "config", "flotilla");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "config.yaml"), "notifications:\n  webhooks:\n    - url: ftp://example.com/hook\n");
    expect(() => loadConfig({ env: isolatedEnv(root.path) })).toThrow(
      /config\.yaml:3:\d+: notifications\.webhooks\[0\]\.url: must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(() => createEngine({ env: isolatedEnv(root.path) })).toThrow(/notifications\.webhooks\[0\]\.url/);
  });
});
