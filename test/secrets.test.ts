import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Project, Script } from "@flotilla/protocol";
import { startServer, type RunningServer } from "@flotilla/server";
import { engineFixture, list, type EngineFixture } from "./server-support.js";
import { CLI, ROOT } from "./support/fixtures.js";

const never = new AbortController().signal;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

// Made up per run, so that finding one anywhere can only mean it leaked.
const nonce = () => createHash("sha256").update(String(Math.random())).digest("hex").slice(0, 32);
const FIRST = `sk-ant-api03-${nonce()}-w1x1`;
const ROTATED = `sk-ant-api03-${nonce()}-r2r2`;
const SCRIPTED = `scripted-secret-${nonce()}`;
const CODEX = `sk-proj-${nonce()}`;
const VIA_CLI = `sk-cli-${nonce()}`;
const ALL = [FIRST, ROTATED, SCRIPTED, CODEX, VIA_CLI];

/** Every file under a folder, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [],
  );
}

/** The built CLI with stdin (the secret goes there, never into argv). */
function cli(args: string[], env: Record<string, string | undefined>, input = "") {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(input);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once("close", (code) => resolve({ code, stdout, stderr })),
  );
}

describe("provider keys", () => {
  let f: EngineFixture;
  let server: RunningServer;
  let token: string;
  let project: Project;
  const logs: string[] = [];
  const answers: string[] = [];
  const envBefore = { ...process.env };

  /** An API call whose answer text is kept, to check no answer ever holds a secret. */
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    answers.push(text);
    return { status: res.status, body: text === "" ? undefined : JSON.parse(text), headers: res.headers };
  };

  beforeAll(async () => {
    f = engineFixture();
    project = await f.engine.projects.add({ path: f.repo });
    server = await startServer({ engine: f.engine, port: 0, log: (l) => logs.push(l), logRequests: true });
    token = readFileSync(server.tokenFile, "utf8").trim();
  });
  afterAll(async () => {
    await server.close();
    f.cleanup();
  });

  it("set, list, rotate, remove: only masked values come back", async () => {
    const set = await call("PUT", "/keys", { provider: "claude-code", secret: FIRST });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({
      provider: "claude-code",
      envVar: "ANTHROPIC_API_KEY",
      masked: "sk-ant-…w1x1",
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(set.headers.get("cache-control")).toBe("no-store");
    expect((await call("GET", "/keys")).body).toEqual({ keys: [set.body] });

    const masterKey = join(f.engine.home.home, "master.key");
    expect(statSync(masterKey).mode & 0o777).toBe(0o600);
    const sealed = () => {
      const db = new Database(f.engine.store.file, { readonly: true });
      try {
        return db.prepare("SELECT wrapped_key, ciphertext FROM secrets WHERE provider = 'claude-code'").get() as
          { wrapped_key: Buffer; ciphertext: Buffer } | undefined;
      } finally {
        db.close();
      }
    };
    const before = sealed()!;

    await new Promise((r) => setTimeout(r, 5));
    const rotated = await call("PUT", "/keys", { provider: "claude-code", secret: ROTATED });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ masked: "sk-ant-…r2r2", createdAt: set.body.createdAt });
    expect(rotated.body.updatedAt > set.body.updatedAt).toBe(true);
    const after = sealed()!;
    expect(after.wrapped_key.equals(before.wrapped_key)).toBe(false); // a new data key
    expect(after.ciphertext.equals(before.ciphertext)).toBe(false);
    // The old sealed bytes are gone from the files, not just from the row (secure_delete, checkpoint).
    const home = filesUnder(f.engine.home.home);
    for (const file of home) {
      const bytes = readFileSync(file);
      expect(bytes.includes(before.ciphertext), file).toBe(false);
      expect(bytes.includes(before.wrapped_key), file).toBe(false);
    }
    expect((await call("GET", "/keys")).body.keys).toHaveLength(1);

    const codex = await call("PUT", "/keys", { provider: "codex", secret: CODEX });
    expect(codex.body).toMatchObject({ envVar: "OPENAI_API_KEY", masked: `sk-proj-…${CODEX.slice(-4)}` });

    const removed = await call("DELETE", "/keys/claude-code");
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ provider: "claude-code", masked: "sk-ant-…r2r2" });
    expect(sealed()).toBeUndefined();
    expect(list((await call("GET", "/keys")).body.keys).map((k: { provider: string }) => k.provider)).toEqual([
      "codex",
    ]);
    expect((await call("DELETE", "/keys/claude-code")).status).toBe(404);
  });

  it("refuses bad input without repeating the secret", async () => {
    const noVar = await call("PUT", "/keys", { provider: "scripted", secret: SCRIPTED });
    expect(noVar.status).toBe(400);
    expect(noVar.body.error.message).toMatch(/no usual key variable: name it/);
    const unknown = await call("PUT", "/keys", { provider: "my-llm", secret: SCRIPTED });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/not in the global config/);
    const malformed = await call("PUT", "/keys", `{"provider":"codex","secret":"${FIRST}"`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/malformed JSON body/);
    const badVar = await call("PUT", "/keys", { provider: "codex", envVar: "lower case", secret: FIRST });
    expect(badVar.status).toBe(400);
    const badName = await call("PUT", "/keys", { provider: "../etc", secret: FIRST });
    expect(badName.status).toBe(400);
    const short = await call("PUT", "/keys", { provider: "codex", secret: "short" });
    expect(short.status).toBe(400);
  });

  it("gives the key to the provider's agent process only, never to Flotilla's own env", async () => {
    const set = await call("PUT", "/keys", { provider: "scripted", envVar: "ANTHROPIC_API_KEY", secret: SCRIPTED });
    expect(set.status).toBe(200);
    // The agent writes hashes, so the secret itself never lands on disk unencrypted.
    const script: Script = {
      steps: [
        {
          run: {
            cmd: 'printf %s "$ANTHROPIC_API_KEY" | sha256sum | cut -c1-64 > key.sha && printf %s "${OPENAI_API_KEY:-}" | sha256sum | cut -c1-64 > other.sha',
          },
        },
      ],
      followUps: [],
    };
    await f.engine.createTask(project, {
      id: "keyed",
      prompt: "use the key",
      agent: "scripted",
      script,
      writes: ["key.sha", "other.sha"],
      holdForApproval: true,
    });
    const task = await f.engine.runTask("keyed", { shutdown: never });
    expect(task.state.status).toBe("awaiting_merge");
    const wt = task.worktreePath!;
    expect(readFileSync(join(wt, "key.sha"), "utf8").trim()).toBe(sha256(SCRIPTED));
    // codex's key is not the scripted provider's: it is not given.
    expect(readFileSync(join(wt, "other.sha"), "utf8").trim()).not.toBe(sha256(CODEX));
    expect(process.env).toEqual(envBefore);
    for (const secret of ALL) expect(Object.values(process.env)).not.toContain(secret);
  });

  it("a master key others may read is refused, with how to fix it", async () => {
    const file = join(f.engine.home.home, "master.key");
    chmodSync(file, 0o644);
    try {
      const res = await call("PUT", "/keys", { provider: "codex", secret: CODEX });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("config_invalid");
      expect(res.body.error.message).toMatch(/mode 0644.*chmod 600/);
      // A run whose provider has a key fails before its agent starts, saying why; never runs without it.
      await f.engine.createTask(project, {
        id: "keyless",
        prompt: "p",
        agent: "scripted",
        writes: ["keyless.txt"], // not the awaiting task's files: no wait for its write-lock
        script: { steps: [{ say: { text: "hi" } }], followUps: [] },
        holdForApproval: true,
      });
      const task = await f.engine.runTask("keyless", { shutdown: never });
      expect(task.state).toMatchObject({ status: "failed", reason: expect.stringMatching(/master key .* mode 0644/) });
      expect(f.engine.store.read.runs.listForTask("keyless")).toHaveLength(0);
    } finally {
      chmodSync(file, 0o600);
    }
  });

  it("flotilla keys set (the secret on stdin), list, rm — through the daemon and in process", async () => {
    const set = await cli(["keys", "set", "amp", "--json"], f.env, `${VIA_CLI}\n`);
    expect(set.stderr).toBe("");
    expect(set.code).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      provider: "amp",
      envVar: "AMP_API_KEY",
      masked: `sk-…${VIA_CLI.slice(-4)}`,
    });
    const list = await cli(["keys", "list", "--no-daemon"], f.env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/amp\s+AMP_API_KEY\s+sk-…/);
    const custom = await cli(["keys", "set", "goose", "--env", "OPENAI_API_KEY", "--no-daemon"], f.env, VIA_CLI);
    expect(custom.code).toBe(0);
    expect(custom.stdout).toMatch(/stored: goose\s+OPENAI_API_KEY/);
    const empty = await cli(["keys", "set", "amp"], f.env, "");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/no key on stdin/);
    const rm = await cli(["keys", "rm", "amp"], f.env);
    expect(rm.code).toBe(0);
    expect((await cli(["keys", "rm", "amp"], f.env)).code).toBe(3);
    for (const out of [set, list, custom, rm]) for (const s of ALL) expect(out.stdout + out.stderr).not.toContain(s);
  });

  it("no secret in any answer, the log, the events table, or any file under $FLOTILLA_HOME", () => {
    for (const text of answers) for (const s of ALL) expect(text).not.toContain(s);
    for (const line of logs) for (const s of ALL) expect(line).not.toContain(s);
    expect(logs.join("\n")).toContain("PUT /keys 200");
    const events = f.engine.store.read.events.since(0, { limit: 100_000 });
    expect(events.length).toBeGreaterThan(0);
    const eventText = JSON.stringify(events);
    for (const s of ALL) expect(eventText).not.toContain(s);
    // The database, its WAL, the master key, state files: the bytes, not just rows.
    const files = filesUnder(f.engine.home.home);
    expect(files).toEqual(expect.arrayContaining([f.engine.store.file, join(f.engine.home.home, "master.key")]));
    for (const file of files) {
      const bytes = readFileSync(file);
      for (const s of ALL) expect(bytes.includes(Buffer.from(s)), `${s.slice(0, 12)}… in ${file}`).toBe(false);
    }
  });
});
