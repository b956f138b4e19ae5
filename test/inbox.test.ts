import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "@flotilla/engine";
import type { Project, TaskSpec } from "@flotilla/protocol";
import { ROOT, isolatedEnv, lastJsonLine, makeRepo, tempDir } from "./support/fixtures.js";

const never = new AbortController().signal;

describe("the needs-you inbox and the completion check", () => {
  let root: ReturnType<typeof tempDir>;
  let repo: string;
  let env: Record<string, string | undefined>;
  let engine: Engine;
  let project: Project;
  let launcher: string;

  beforeEach(async () => {
    root = tempDir("flotilla-inbox-");
    repo = makeRepo(join(root.path, "repo"));
    env = isolatedEnv(root.path);
    configure("defaults: { verify: 'npm test --silent' }\n");
    engine = createEngine({ env });
    project = await engine.projects.add({ path: repo });
    // The built CLI, with the inbox commands registered even before main.ts registers them.
    launcher = join(root.path, "flotilla-inbox.mjs");
    const dist = (p: string) => JSON.stringify(join(ROOT, "packages", "cli", "dist", p));
    writeFileSync(
      launcher,
      `import { buildProgram } from ${dist("main.js")};\n` +
        `import { registerInbox } from ${dist("commands/inbox.js")};\n` +
        `import { exitState, reportError } from ${dist("action.js")};\n` +
        `const program = buildProgram();\n` +
        `if (!program.commands.some((c) => c.name() === "inbox")) registerInbox(program);\n` +
        `try { await program.parseAsync(process.argv); process.exitCode = exitState.code; }\n` +
        `catch (e) { process.exitCode = reportError(e); }\n`,
    );
  });
  afterEach(() => {
    engine.close();
    root.cleanup();
  });

  function configure(yaml: string): void {
    mkdirSync(join(root.path, "config", "flotilla"), { recursive: true });
    writeFileSync(join(root.path, "config", "flotilla", "config.yaml"), yaml);
  }
  function cli(...args: string[]) {
    return spawnSync(process.execPath, [launcher, ...args], { cwd: repo, env, encoding: "utf8", timeout: 60_000 });
  }
  async function start(spec: Partial<TaskSpec>) {
    const task = await engine.createTask(project, { prompt: "do it", review: false, ...spec });
    return engine.runTask(task.id, { shutdown: never });
  }
  function sessionMessage(taskId: string): string {
    const run = engine.store.read.runs.listForTask(taskId).at(-1);
    const file = join(engine.home.state, "scripted-sessions", `${run?.sessionId ?? ""}.json`);
    return (JSON.parse(readFileSync(file, "utf8")) as { message: string }).message;
  }

  it("a question is listed; `flotilla answer` resumes the session with the answer and the task merges", async () => {
    const asked = await start({
      writes: ["db.txt"],
      script: {
        steps: [{ ask: { question: "Postgres or SQLite?" } }],
        followUps: [[{ write: { path: "db.txt", content: "sqlite\n" } }]],
      },
    });
    expect(asked.state.status).toBe("needs_input");
    const listed = cli("inbox", "--json");
    expect(listed.status, listed.stderr).toBe(0);
    const items = lastJsonLine(listed.stdout) as { id: string; kind: string; text: string; taskId: string }[];
    const item = items.find((i) => i.taskId === asked.id);
    expect(item).toMatchObject({ kind: "question", text: "Postgres or SQLite?" });
    expect(item?.id).toMatch(/^ibx_/);

    const answered = cli("answer", item?.id ?? "", "SQLite,", "please");
    expect(answered.status, answered.stderr).toBe(0);
    expect(engine.task(asked.id).state.status).toBe("merged");
    expect(sessionMessage(asked.id)).toBe("SQLite, please");
    expect(readFileSync(join(repo, "db.txt"), "utf8")).toBe("sqlite\n");
    const runs = engine.store.read.runs.listForTask(asked.id);
    expect(runs[1]?.sessionId).toBe(runs[0]?.sessionId);

    // The item is gone: answering it again is a clear not-found, and nothing changes.
    const again = cli("answer", item?.id ?? "", "again");
    expect(again.status).toBe(3);
    expect(again.stderr).toContain(item?.id ?? "?");
    expect(again.stderr).toMatch(/already answered|moved on/);
    expect(cli("approve", "ibx_nope_1").status).toBe(3);
    expect(engine.inbox().find((i) => i.taskId === asked.id)).toBeUndefined();
  });

  it("a permission request: the tool and input are listed; approve says go ahead in the session", async () => {
    const asked = await start({
      writes: ["out.txt"],
      script: {
        steps: [{ permission: { tool: "bash", input: { command: "rm -rf build" } } }],
        followUps: [[{ write: { path: "out.txt", content: "ok\n" } }]],
      },
    });
    const item = engine.inbox().find((i) => i.taskId === asked.id);
    expect(item).toMatchObject({ kind: "permission", tool: "bash", input: { command: "rm -rf build" } });
    const approved = cli("approve", item?.id ?? "");
    expect(approved.status, approved.stderr).toBe(0);
    expect(sessionMessage(asked.id)).toMatch(/^Approved: go ahead and use bash/);
    expect(engine.task(asked.id).state.status).toBe("merged");
  });

  it("deny tells the agent why (onDeny: tell) or cancels the task (onDeny: cancel)", async () => {
    const script = {
      steps: [{ permission: { tool: "bash", input: { command: "curl evil" } } }],
      followUps: [[{ write: { path: "x.txt", content: "offline\n" } }]],
    };
    const told = await start({ writes: ["x.txt"], script });
    const id = engine.inbox().find((i) => i.taskId === told.id)?.id ?? "";
    const denied = await engine.deny(id, "no network access");
    expect(sessionMessage(told.id)).toMatch(/Permission denied for bash: no network access/);
    expect(denied.state.status).toBe("merged");

    configure("defaults: { verify: 'npm test --silent' }\ninbox: { onDeny: cancel }\n");
    const other = createEngine({ env });
    try {
      const asked = await other.createTask(project, { prompt: "p", review: false, writes: ["y.txt"], script });
      await other.runTask(asked.id, { shutdown: never });
      const item = other.inbox().find((i) => i.taskId === asked.id);
      const res = spawnSync(process.execPath, [launcher, "deny", item?.id ?? "", "--reason", "no"], {
        cwd: repo,
        env,
        encoding: "utf8",
      });
      expect(res.status, res.stderr).toBe(0);
      expect(other.task(asked.id).state.status).toBe("cancelled");
    } finally {
      other.close();
    }
  });

  it("completion: a stray file goes back to the agent (stray: fail); it cleans up and the task merges", async () => {
    engine.close();
    engine = createEngine({ env, overrides: { completion: { stray: "fail" } } });
    const task = await start({
      writes: ["a.txt"],
      script: {
        steps: [{ write: { path: "a.txt", content: "a\n" } }, { write: { path: "scratch.log", content: "junk\n" } }],
        followUps: [[{ delete: { path: "scratch.log" } }]],
      },
    });
    expect(task.state.status).toBe("merged");
    const fb = engine.store.read.events.since(0, { taskId: task.id, types: ["task.feedback-sent"] });
    expect(fb.map((e) => e.payload)).toEqual([expect.objectContaining({ kind: "completion", round: 1 })]);
    expect(sessionMessage(task.id)).toMatch(/completion check failed: .*scratch\.log/);
  });

  it("completion: nothing matching the writes, rounds exhausted → failed with the reason; listed in the inbox", async () => {
    const task = await start({
      writes: ["src/feature/**"],
      script: { steps: [{ write: { path: "elsewhere.txt", content: "x\n" } }], followUps: [[]] },
    });
    expect(task.state.status).toBe("failed");
    if (task.state.status === "failed") expect(task.state.reason).toMatch(/completion check failed: none of the files/);
    const fb = engine.store.read.events.since(0, { taskId: task.id, types: ["task.feedback-sent"] });
    expect(fb).toHaveLength(1); // workflow.completionRounds defaults to 1
    const item = engine.inbox().find((i) => i.taskId === task.id);
    expect(item).toMatchObject({ kind: "failure", actions: ["approve", "deny"] });
    // A failure cannot be answered, only retried or dismissed.
    const res = cli("answer", item?.id ?? "", "hello");
    expect(res.status).toBe(2);
    const dismissed = cli("deny", item?.id ?? "");
    expect(dismissed.status, dismissed.stderr).toBe(0);
    expect(engine.task(task.id).state.status).toBe("cancelled");
  });
});
