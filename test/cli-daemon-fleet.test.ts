import { createHash } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git, lastJsonLine, runCli, startCli, waitFor } from "./support/fixtures.js";
import { startDaemonWorld, type DaemonWorld } from "./support/daemon-world.js";

type Summary = { repo: string | null; tasks: { id: string; status: string }[] };
type Loose = Record<string, unknown> & { state: { status: string } };

/**
 * `flotilla enqueue`, `resume` and `clean` with a daemon running: the daemon stores the ticket,
 * resumes what was left (a CLI killed beside it included) and cleans the worktrees, so a CLI
 * never competes with it; the CLI prints the same lines, JSON and exit codes as in process.
 * `--no-daemon` and no daemon at all run in process as before.
 */
describe("enqueue, resume and clean through a running daemon", () => {
  let world: DaemonWorld;
  let root: DaemonWorld["root"];
  let env: DaemonWorld["env"];
  let repo: string;
  let daemon: DaemonWorld["daemon"];
  let daemonPid: number;
  const requests = () => world.requests();
  const sawRequest = (line: RegExp) => world.sawRequest(line);
  const runOwners = (taskId: string) => world.runOwners(taskId);
  const file = (name: string, text: string) => {
    const path = join(root.path, name);
    writeFileSync(path, text);
    return path;
  };
  const ticket = (id: string, extra: string[] = []) =>
    file(
      `${id}.yaml`,
      [
        `id: ${id}`,
        `prompt: write ${id}.txt`,
        "agent: scripted",
        `writes: [${id}.txt]`,
        "review: false",
        ...extra,
        "script:",
        `  - write: { path: ${id}.txt, content: ${id} }`,
        "",
      ].join("\n"),
    );
  const settle = () => new Promise((r) => setTimeout(r, 300));
  const statusOf = (id: string) =>
    (JSON.parse(runCli(["status", id, "--json", "--no-daemon"], { env }).stdout) as Loose).state.status;
  /** A task run in a CLI process of its own that waits at its second step until `go` exists. */
  const startGated = async (id: string, go: string) => {
    const script = file(
      `${id}-script.yaml`,
      [
        "steps:",
        `  - append: { path: ${id}.txt, content: "one\\n" }`,
        `  - run: { cmd: "while [ ! -f ${go} ]; do sleep 0.05; done" }`,
        `  - append: { path: ${id}.txt, content: "two\\n" }`,
      ].join("\n"),
    );
    const cli = startCli(["run", id, "--script", script, "--id", id, "--no-review", "--no-daemon"], {
      env,
      cwd: repo,
    });
    await waitFor(
      `${id}'s agent at its second step`,
      () =>
        runCli(["logs", id, "--json"], { env })
          .stdout.split("\n")
          .some((l) => l.includes('"tool_call"') && l.includes('"bash"')) || undefined,
      40_000,
    );
    return cli;
  };

  beforeAll(async () => {
    world = await startDaemonWorld("flotilla-cli-daemon-fleet-");
    ({ root, env, repo, daemon, daemonPid } = world);
  });
  afterAll(() => world.stop());

  it("enqueue: the daemon stores the ticket's task queued; same output and exit codes", async () => {
    const a = ticket("ta", ["priority: 3", "title: Ticket A"]);
    const r = runCli(["enqueue", a, "--json"], { env, cwd: repo });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("(through the daemon at http://127.0.0.1:");
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ id: "ta", status: "queued", title: "Ticket A", ticket: a });
    expect(out.project).toMatch(/^proj_/);
    await sawRequest(/^POST \/tickets 201/);
    const b = runCli(["enqueue", ticket("tb"), "--project", repo], { env });
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toBe("tb\n");
    expect(b.stderr).toMatch(/queued tb in repo \(priority 0\): tb/);
    expect(statusOf("ta")).toBe("queued");
    // A name the wire does not take is sent as ticket.json / ticket.yaml: the format stays.
    const odd = file(
      "odd+name.json",
      JSON.stringify({
        id: "tc",
        prompt: "p",
        writes: ["tc.txt"],
        script: [{ write: { path: "tc.txt", content: "c" } }],
      }),
    );
    const c = runCli(["enqueue", odd, "--json"], { env, cwd: repo });
    expect(c.status, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout)).toMatchObject({ id: "tc", status: "queued", ticket: odd });
    expect(runCli(["abort", "tc"], { env }).status).toBe(0);

    const again = runCli(["enqueue", a, "--json"], { env, cwd: repo });
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already exists/);
    await settle();
    const seen = requests().length;
    // A bad ticket is refused here, by its full path, before the daemon is asked anything.
    const bad = file("bad.yaml", "id: bad\nprompt: ''\n");
    const refused = runCli(["enqueue", bad], { env, cwd: repo });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`${bad}:2:`);
    await settle();
    expect(requests().slice(seen)).toEqual([]);
  });

  it("resume: the daemon reconciles a CLI killed with kill -9, resumes its task and runs the queued ones; the CLI follows to rest", async () => {
    const go = join(root.path, "go-gated");
    const cli = await startGated("gated", go);
    const cliPid = cli.child.pid;
    cli.child.kill("SIGKILL");
    await cli.exited;
    writeFileSync(go, "");

    const r = runCli(["resume", "--json"], { env, timeoutMs: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("(through the daemon at http://127.0.0.1:");
    // The daemon found it left running by a process that is gone, as an in-process command would.
    expect(r.stderr).toMatch(/1 task\(s\) were interrupted when a Flotilla process stopped: gated/);
    expect(r.stderr).toMatch(/\[gated\] interrupted → /); // the progress lines, from the daemon's events
    expect(r.stderr).toMatch(/\[ta\] merged into main/);
    const summary = lastJsonLine(r.stdout) as Summary;
    expect(summary.repo).toBe(repo);
    expect([...summary.tasks].sort((x, y) => x.id.localeCompare(y.id))).toEqual([
      expect.objectContaining({ id: "gated", status: "merged" }),
      expect.objectContaining({ id: "ta", status: "merged" }),
      expect.objectContaining({ id: "tb", status: "merged" }),
    ]);
    await sawRequest(/^POST \/resume 202/);
    // The daemon drove it on: the first run was the killed CLI's, the rest the daemon's.
    const owners = runOwners("gated");
    expect(owners[0]).toBe(cliPid);
    expect(owners.length).toBeGreaterThan(1);
    expect(new Set(owners.slice(1))).toEqual(new Set([daemonPid]));
    expect(new Set(runOwners("ta"))).toEqual(new Set([daemonPid]));
    expect(git(repo, "show", "main:gated.txt")).toBe("one\ntwo");
    expect(daemon.child.exitCode).toBeNull();

    const nothing = runCli(["resume", "--json"], { env });
    expect(nothing.status, nothing.stderr).toBe(0);
    expect(nothing.stderr).toContain("nothing to resume"); // with --json, lines for a person go to stderr
    expect(lastJsonLine(nothing.stdout)).toEqual({ repo: null, tasks: [] });
  }, 150_000);

  it("resume ends with the daemon's run: a queued task whose dependency failed is reported, exit 1", async () => {
    const fail = file("fail.yaml", "steps:\n  - fail: { message: 'cannot do it' }\n");
    const failed = runCli(["run", "fail", "--script", fail, "--id", "broken", "--json"], { env, cwd: repo });
    expect(failed.status).toBe(1);
    expect(runCli(["enqueue", ticket("after", ["dependsOn: [broken]"])], { env, cwd: repo }).status).toBe(0);
    const r = runCli(["resume", "--json"], { env, timeoutMs: 60_000 });
    expect(r.status, r.stderr).toBe(1);
    expect(lastJsonLine(r.stdout)).toMatchObject({ repo, tasks: [{ id: "after", status: "queued" }] });
    // As in process: a dependency outside the run that did not merge keeps it from starting.
    expect(r.stderr).toMatch(/^after: queued$/m);
    expect(runCli(["abort", "after"], { env }).status).toBe(0);
  });

  it("resume --detach returns once the daemon took the tasks; they land there", async () => {
    const go = join(root.path, "go-later");
    const cli = await startGated("later", go);
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(130);
    expect(statusOf("later")).toBe("interrupted");
    const r = runCli(["resume", "--detach", "--json"], { env });
    expect(r.status, r.stderr).toBe(0);
    expect(lastJsonLine(r.stdout)).toMatchObject({ repo, tasks: [{ id: "later" }] });
    expect(r.stderr).toMatch(/later: .* — in the daemon; follow with `flotilla logs -f later`/);
    writeFileSync(go, "");
    await waitFor("later merged by the daemon", () => statusOf("later") === "merged", 60_000);
    expect(runOwners("later").at(-1)).toBe(daemonPid);
  }, 120_000);

  it("clean: the daemon removes orphaned worktrees and landed branches; --dry-run and --json as in process", async () => {
    const base = join(root.path, "home", "worktrees");
    const worktrees = join(base, `repo-${createHash("sha256").update(repo).digest("hex").slice(0, 8)}`);
    git(repo, "branch", "flotilla/old-landed", "main");
    git(repo, "worktree", "add", "-q", "-b", "flotilla/orphan", join(worktrees, "orphan"), "main");
    const dry = runCli(["clean", "--dry-run", "--json"], { env });
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stderr).toContain("(through the daemon at http://127.0.0.1:");
    const reports = JSON.parse(dry.stdout) as {
      project: string;
      removedWorktrees: string[];
      removedBranches: string[];
    }[];
    expect(reports).toHaveLength(1);
    expect(reports[0]?.project).toBe(repo);
    expect(reports[0]?.removedWorktrees).toContain(join(worktrees, "orphan"));
    expect(reports[0]?.removedBranches).toContain("flotilla/old-landed");
    expect(existsSync(join(worktrees, "orphan"))).toBe(true);
    await sawRequest(/^POST \/projects\/proj_[^/]+\/clean 200/);

    const done = runCli(["clean", "--project", "repo"], { env });
    expect(done.status, done.stderr).toBe(0);
    expect(done.stdout).toContain(`removed worktree ${join(worktrees, "orphan")}`);
    expect(done.stdout).toContain("removed branch flotilla/old-landed");
    expect(existsSync(join(worktrees, "orphan"))).toBe(false);
    expect(git(repo, "branch", "--list", "flotilla/old-landed")).toBe("");
    const unknown = runCli(["clean", "--project", "nope"], { env });
    expect(unknown.status).toBe(3);
    expect(unknown.stderr).toMatch(/^flotilla: no project "nope"/m);
  });

  it("--no-daemon runs enqueue, resume and clean in process beside the daemon; with it stopped, in process too", async () => {
    await settle();
    const seen = requests().length;
    const q = runCli(["enqueue", ticket("local"), "--no-daemon"], { env, cwd: repo });
    expect(q.status, q.stderr).toBe(0);
    expect(q.stderr).not.toContain("through the daemon");
    const cleaned = runCli(["clean", "--no-daemon", "--json"], { env });
    expect(cleaned.status, cleaned.stderr).toBe(0);
    expect(cleaned.stderr).not.toContain("through the daemon");
    await settle();
    expect(
      requests()
        .slice(seen)
        .filter((l) => l.startsWith("POST")),
    ).toEqual([]);

    daemon.child.kill("SIGTERM");
    expect(await daemon.exited).toBe(0);
    const q2 = runCli(["enqueue", ticket("local2"), "--json"], { env, cwd: repo });
    expect(q2.status, q2.stderr).toBe(0);
    expect(q2.stderr).not.toContain("through the daemon");
    const r = runCli(["resume", "--json"], { env, timeoutMs: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("through the daemon");
    const summary = lastJsonLine(r.stdout) as Summary;
    expect(summary.tasks.map((t) => [t.id, t.status]).sort()).toEqual([
      ["local", "merged"],
      ["local2", "merged"],
    ]);
    expect(runOwners("local")).not.toContain(daemonPid);
    const c = runCli(["clean", "--json"], { env });
    expect(c.status, c.stderr).toBe(0);
    expect(c.stderr).not.toContain("through the daemon");
  }, 150_000);
});
