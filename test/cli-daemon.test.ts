import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git, lastJsonLine, runCli, waitFor } from "./support/fixtures.js";
import { startDaemonWorld, type DaemonWorld } from "./support/daemon-world.js";

type Summary = { repo: string; tasks: { id: string; status: string }[]; makespanMs?: number };
type Loose = Record<string, unknown> & { state: { status: string } };

/**
 * The CLI with a daemon running: the commands that act on tasks hand the work to `flotilla serve`
 * and only follow it (so two processes never compete for the same tasks), with the same output,
 * JSON summary and exit codes as in process; `--no-daemon` (or FLOTILLA_NO_DAEMON=1) and no
 * daemon at all run in process as before.
 */
describe("the CLI through a running daemon", () => {
  let world: DaemonWorld;
  let root: DaemonWorld["root"];
  let env: DaemonWorld["env"];
  let repo: string;
  let daemon: DaemonWorld["daemon"];
  let daemonPid: number;
  const requests = () => world.requests();
  const sawRequest = (line: RegExp) => world.sawRequest(line);
  const runOwners = (taskId: string) => world.runOwners(taskId);
  const script = (name: string, steps: string) => {
    const file = join(root.path, `${name}.yaml`);
    writeFileSync(file, `steps:\n${steps}`);
    return file;
  };
  const settle = () => new Promise((r) => setTimeout(r, 300));

  beforeAll(async () => {
    world = await startDaemonWorld("flotilla-cli-daemon-");
    ({ root, env, repo, daemon, daemonPid } = world);
  });
  afterAll(() => world.stop());

  it("run <prompt>: the daemon runs the task; the CLI follows it and prints the same summary", async () => {
    const s = script("one", "  - say: { text: 'writing one' }\n  - write: { path: one.txt, content: one }\n");
    const r = runCli(["run", "write one", "--script", s, "--id", "one", "--json"], { env, cwd: repo });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("(through the daemon at http://127.0.0.1:");
    expect(r.stderr).toMatch(/\[one\] agent: writing one/); // the progress lines, from the daemon's events
    expect(r.stderr).toMatch(/\[one\] merged into main/);
    const summary = lastJsonLine(r.stdout) as Summary;
    expect(summary).toMatchObject({ repo, tasks: [{ id: "one", status: "merged" }] });
    await sawRequest(/^POST \/tasks 201/);
    // The daemon drove it: every run of the task is owned by the daemon's process.
    const owners = runOwners("one");
    expect(owners.length).toBeGreaterThan(0);
    expect(new Set(owners)).toEqual(new Set([daemonPid]));
    expect(git(repo, "show", "main:one.txt")).toBe("one");
    expect(daemon.child.exitCode).toBeNull();
  });

  it("status reads through the daemon; --no-daemon and FLOTILLA_NO_DAEMON=1 read in process", async () => {
    await settle();
    const before = requests().length;
    const one = runCli(["status", "one", "--json"], { env });
    expect(one.status, one.stderr).toBe(0);
    expect((JSON.parse(one.stdout) as Loose).state.status).toBe("merged");
    const all = runCli(["status"], { env });
    expect(all.stdout).toMatch(/^one\s+merged/m);
    await sawRequest(/^GET \/tasks /);
    expect(requests().slice(before)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^GET \/tasks\/one /), expect.stringMatching(/^GET \/tasks /)]),
    );
    await settle();
    const seen = requests().length;
    const local = runCli(["status", "one", "--json", "--no-daemon"], { env });
    expect((JSON.parse(local.stdout) as Loose).state.status).toBe("merged");
    const byEnv = runCli(["status", "--json"], { env: { ...env, FLOTILLA_NO_DAEMON: "1" } });
    expect(byEnv.status).toBe(0);
    await settle();
    expect(requests().length).toBe(seen);
  });

  it("run --detach returns at once; abort goes through the daemon, retry is followed to rest with its exit code", async () => {
    const hang = script("hang", "  - write: { path: wip.txt, content: wip }\n  - hang: {}\n");
    const r = runCli(["run", "hang", "--script", hang, "--id", "hang", "--detach", "--json"], { env, cwd: repo });
    expect(r.status, r.stderr).toBe(0);
    expect(lastJsonLine(r.stdout)).toMatchObject({ tasks: [{ id: "hang" }] });
    await waitFor("the agent at work", () => {
      const s = runCli(["status", "hang", "--json"], { env });
      return (JSON.parse(s.stdout) as Loose).state.status === "running";
    });
    const aborted = runCli(["abort", "hang", "--json"], { env });
    expect(aborted.status, aborted.stderr).toBe(0);
    expect((JSON.parse(aborted.stdout) as Loose).state.status).toBe("cancelled");
    await sawRequest(/^POST \/tasks\/hang\/abort 200/);

    const failing = script("fail", "  - fail: { message: 'cannot do it' }\n");
    const failed = runCli(["run", "fail", "--script", failing, "--id", "bad", "--json"], { env, cwd: repo });
    expect(failed.status).toBe(1);
    expect(lastJsonLine(failed.stdout)).toMatchObject({ tasks: [{ id: "bad", status: "failed" }] });
    const retried = runCli(["retry", "bad", "--json"], { env });
    expect(retried.status).toBe(1);
    expect(lastJsonLine(retried.stdout)).toMatchObject({ tasks: [{ id: "bad", status: "failed" }] });
    await sawRequest(/^POST \/tasks\/bad\/retry 202/);
    const illegal = runCli(["merge", "bad"], { env });
    expect(illegal.status).toBe(2);
    expect(illegal.stderr).toMatch(/^flotilla: task bad is failed/m);
  });

  it("run plan.yaml: the daemon runs the plan; the CLI prints the table and the makespan", async () => {
    const plan = join(root.path, "plan.yaml");
    writeFileSync(
      plan,
      [
        "name: pair",
        "tasks:",
        "  - id: p1",
        "    prompt: write p1",
        "    writes: [p1.txt]",
        "    script:",
        "      - write: { path: p1.txt, content: p1 }",
        "  - id: p2",
        "    prompt: write p2",
        "    dependsOn: [p1]",
        "    writes: [p2.txt]",
        "    script:",
        "      - write: { path: p2.txt, content: p2 }",
        "",
      ].join("\n"),
    );
    const r = runCli(["run", plan, "--json"], { env, cwd: repo });
    expect(r.status, r.stderr).toBe(0);
    const summary = lastJsonLine(r.stdout) as Summary;
    expect(summary.tasks.map((t) => t.status)).toEqual(["merged", "merged"]);
    expect(summary.makespanMs).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/plan pair \(plan_/);
    expect(r.stderr).toMatch(/TASK|task/);
    await sawRequest(/^POST \/plans 201/);
    const bad = join(root.path, "bad.yaml");
    writeFileSync(bad, "tasks:\n  - id: x\n    prompt: ''\n");
    const invalid = runCli(["run", bad], { env, cwd: repo });
    expect(invalid.status).toBe(2);
    expect(invalid.stderr).toContain(`${bad}:3:`);
  });

  it("inbox and answer: the daemon sends the answer into the session; the CLI follows the task to merged", async () => {
    const ask = join(root.path, "ask.json");
    writeFileSync(
      ask,
      JSON.stringify({
        steps: [{ ask: { question: "Postgres or SQLite?" } }],
        followUps: [[{ write: { path: "db.txt", content: "sqlite\n" } }]],
      }),
    );
    const asked = runCli(["run", "pick a db", "--script", ask, "--id", "asks", "--json", "--no-review"], {
      env,
      cwd: repo,
    });
    expect(asked.status).toBe(1);
    expect(lastJsonLine(asked.stdout)).toMatchObject({ tasks: [{ id: "asks", status: "needs_input" }] });
    const listed = runCli(["inbox", "--json"], { env });
    expect(listed.status, listed.stderr).toBe(0);
    const items = lastJsonLine(listed.stdout) as { id: string; taskId: string; kind: string }[];
    const item = items.find((i) => i.taskId === "asks");
    expect(item?.kind).toBe("question");
    const answered = runCli(["answer", item?.id ?? "", "SQLite", "--json"], { env });
    expect(answered.status, answered.stderr).toBe(0);
    expect(lastJsonLine(answered.stdout)).toMatchObject({ tasks: [{ id: "asks", status: "merged" }] });
    expect(new Set(runOwners("asks"))).toEqual(new Set([daemonPid]));
    await sawRequest(/^POST \/inbox\/[^/]+\/answer 20/);
  });

  it("--no-daemon runs in process beside the daemon; with the daemon stopped, commands run in process", async () => {
    const s = script("local", "  - write: { path: local.txt, content: local }\n");
    await settle();
    const seen = requests().length;
    const local = runCli(["run", "local", "--script", s, "--id", "local", "--json", "--no-daemon"], { env, cwd: repo });
    expect(local.status, local.stderr).toBe(0);
    expect(local.stderr).not.toContain("through the daemon");
    expect(lastJsonLine(local.stdout)).toMatchObject({ tasks: [{ id: "local", status: "merged" }] });
    expect(runOwners("local")).not.toContain(daemonPid);
    await settle();
    expect(
      requests()
        .slice(seen)
        .filter((l) => l.startsWith("POST")),
    ).toEqual([]);

    daemon.child.kill("SIGTERM");
    expect(await daemon.exited).toBe(0);
    const s2 = script("after", "  - write: { path: after.txt, content: after }\n");
    const after = runCli(["run", "after", "--script", s2, "--id", "after", "--json"], { env, cwd: repo });
    expect(after.status, after.stderr).toBe(0);
    expect(after.stderr).not.toContain("through the daemon");
    expect(lastJsonLine(after.stdout)).toMatchObject({ tasks: [{ id: "after", status: "merged" }] });
    const status = runCli(["status", "after", "--json"], { env });
    expect((JSON.parse(status.stdout) as Loose).state.status).toBe("merged");
  });
});
