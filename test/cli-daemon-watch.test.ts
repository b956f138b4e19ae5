import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectToRunningServer } from "@flotilla/server";
import { git, lastJsonLine, runCli, startCli, waitFor } from "./support/fixtures.js";
import { startDaemonWorld, type DaemonWorld } from "./support/daemon-world.js";

type Summary = { repo: string | null; tasks: { id: string; status: string }[] };

/**
 * `flotilla watch` with a daemon running: the CLI watches the folder and sends each new ticket to
 * the daemon, which runs the tasks (its runs, its pid); the CLI prints the same lines, JSON and
 * exit codes as in process. Ctrl-C stops watching and following only. `--no-daemon` runs in
 * process as before.
 */
describe("flotilla watch through a running daemon", () => {
  let world: DaemonWorld;
  let env: DaemonWorld["env"];
  let repo: string;
  let daemonPid: number;
  let n = 0;
  const backlog = () => {
    const dir = join(world.root.path, `backlog-${++n}`);
    mkdirSync(dir);
    return dir;
  };
  const ticket = (id: string, extra: string[] = [], steps = [`  - write: { path: ${id}.txt, content: ${id} }`]) =>
    [
      `id: ${id}`,
      `prompt: write ${id}.txt`,
      "agent: scripted",
      `writes: [${id}.txt]`,
      "review: false",
      ...extra,
      "script:",
      ...steps,
      "",
    ].join("\n");
  const statusOf = (id: string) =>
    (
      JSON.parse(runCli(["status", id, "--json", "--no-daemon"], { env }).stdout) as {
        state: { status: string };
      }
    ).state.status;
  const landed = () => git(repo, "log", "--format=%s", "main").split("\n");
  const settle = () => new Promise((r) => setTimeout(r, 300));

  beforeAll(async () => {
    world = await startDaemonWorld("flotilla-cli-daemon-watch-");
    ({ env, repo, daemonPid } = world);
  });
  afterAll(() => world.stop());

  it("--once: the daemon runs the tickets there; a bad ticket is named and not sent; same JSON and exit code", async () => {
    const dir = backlog();
    writeFileSync(join(dir, "wa.yaml"), ticket("wa", ["priority: 1"]));
    writeFileSync(join(dir, "wb.yaml"), ticket("wb", ["priority: 9"]));
    writeFileSync(join(dir, "broken.yaml"), "id: broken\nprompt: ''\n");
    const r = runCli(["watch", dir, "--once", "--json", "--concurrency", "1"], {
      env,
      cwd: repo,
      timeoutMs: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("(through the daemon at http://127.0.0.1:");
    // --concurrency cannot be honoured by the daemon's run: said, not silently ignored.
    expect(r.stderr).toMatch(/--concurrency 1 is not used: the daemon runs these tasks within its own limits/);
    expect(r.stderr).toMatch(
      new RegExp(`ticket ${join(dir, "broken.yaml")}: .*broken\\.yaml:2:.*will retry when it changes`),
    );
    expect(r.stderr).toContain(`ticket ${join(dir, "wa.yaml")}: queued wa (priority 1)`);
    expect(r.stderr).toContain(`ticket ${join(dir, "wb.yaml")}: queued wb (priority 9)`);
    expect(r.stderr).toContain(`watching ${dir} for tickets (once)`);
    // The progress lines, from the daemon's event stream.
    expect(r.stderr).toMatch(/\[wa\] merged into main/);
    expect(r.stderr).toMatch(/\[wb\] merged into main/);
    const summary = lastJsonLine(r.stdout) as Summary;
    expect(summary.repo).toBe(repo);
    expect(summary.tasks.map((t) => [t.id, t.status])).toEqual([
      ["wa", "merged"],
      ["wb", "merged"],
    ]);
    // The daemon ran them, not the CLI.
    expect(new Set(world.runOwners("wa"))).toEqual(new Set([daemonPid]));
    expect(new Set(world.runOwners("wb"))).toEqual(new Set([daemonPid]));
    expect(landed()).toEqual(expect.arrayContaining(["wa", "wb"]));
    await world.sawRequest(/^POST \/resume 202/);
    const tickets = world.requests().filter((l) => l.startsWith("POST /tickets"));
    expect(tickets).toHaveLength(2); // the bad ticket never reached the daemon
    expect(tickets.every((l) => /^POST \/tickets 201/.test(l))).toBe(true);

    // Again: nothing new to run (the tasks exist and merged); where they stand, exit 0.
    const again = runCli(["watch", dir, "--once", "--json"], { env, cwd: repo });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/task wa exists already/);
    expect((lastJsonLine(again.stdout) as Summary).tasks.map((t) => [t.id, t.status])).toEqual([
      ["wa", "merged"],
      ["wb", "merged"],
    ]);
    const empty = runCli(["watch", backlog(), "--once", "--json"], { env, cwd: repo });
    expect(empty.status, empty.stderr).toBe(0);
    expect(lastJsonLine(empty.stdout)).toEqual({ repo, tasks: [] });
  }, 150_000);

  it("without --once: tickets dropped in are run by the daemon; Ctrl-C stops following only (130), the daemon goes on", async () => {
    const dir = backlog();
    const cli = startCli(["watch", dir, "--rescan", "300"], { env, cwd: repo });
    await waitFor(
      "the watcher",
      () => cli.output().stdout.includes(`watching ${dir} for tickets; Ctrl-C to stop`) || undefined,
    );
    writeFileSync(join(dir, "wc.yaml"), ticket("wc"));
    await waitFor(
      "wc merged, as the CLI says",
      () => /\[wc\] merged into main/.test(cli.output().stdout) || undefined,
      60_000,
    );
    expect(cli.output().stdout).toContain(`ticket ${join(dir, "wc.yaml")}: queued wc (priority 0)`);
    expect(new Set(world.runOwners("wc"))).toEqual(new Set([daemonPid]));

    // A half-written ticket: named, retried once it is whole.
    const half = ticket("wd");
    writeFileSync(join(dir, "wd.yaml"), half.slice(0, half.indexOf("writes")) + "writes: [wd.t");
    await waitFor(
      "the warning naming the half-written ticket",
      () => cli.output().stderr.includes(`ticket ${join(dir, "wd.yaml")}: `) || undefined,
    );
    expect(cli.output().stderr).toContain("(will retry when it changes)");
    writeFileSync(join(dir, "wd.yaml"), half);
    await waitFor(
      "wd merged, as the CLI says",
      () => /\[wd\] merged into main/.test(cli.output().stdout) || undefined,
      60_000,
    );
    expect(new Set(world.runOwners("wd"))).toEqual(new Set([daemonPid]));

    // A ticket whose agent waits for a file: the CLI is stopped while the daemon runs it.
    const go = join(world.root.path, "go-we");
    writeFileSync(
      join(dir, "we.yaml"),
      ticket(
        "we",
        [],
        [`  - write: { path: we.txt, content: we }`, `  - run: { cmd: "while [ ! -f ${go} ]; do sleep 0.05; done" }`],
      ),
    );
    await waitFor(
      "we running in the daemon",
      () => /\[we\] preparing → running/.test(cli.output().stdout) || undefined,
      40_000,
    );
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(130);
    const { stdout, stderr } = cli.output();
    expect(stderr).toMatch(/SIGINT: stopped following; the daemon goes on/);
    expect(stdout).toMatch(/^wc: merged/m);
    expect(stdout).toMatch(/^wd: merged/m);
    expect(stdout).toMatch(/^we: running/m);
    writeFileSync(go, "");
    await waitFor("we merged by the daemon", () => statusOf("we") === "merged" || undefined, 60_000);
    expect(new Set(world.runOwners("we"))).toEqual(new Set([daemonPid]));
    expect(world.daemon.child.exitCode).toBeNull();
  }, 180_000);

  it("--no-daemon runs the tickets in process beside the daemon", async () => {
    const dir = backlog();
    writeFileSync(join(dir, "wf.yaml"), ticket("wf"));
    await settle();
    const seen = world.requests().length;
    const r = runCli(["watch", dir, "--once", "--json", "--no-daemon"], { env, cwd: repo, timeoutMs: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("through the daemon");
    expect((lastJsonLine(r.stdout) as Summary).tasks.map((t) => [t.id, t.status])).toEqual([["wf", "merged"]]);
    const wfOwners = world.runOwners("wf");
    expect(wfOwners.length).toBeGreaterThan(0);
    expect(wfOwners).not.toContain(daemonPid);
    await settle();
    expect(
      world
        .requests()
        .slice(seen)
        .filter((l) => l.startsWith("POST")),
    ).toEqual([]);
  }, 150_000);

  it("later tickets join the daemon's run, held while the CLI watches: with one slot, a later high-priority ticket starts before an earlier low one", async () => {
    const daemon = connectToRunningServer(env.FLOTILLA_HOME!)!.client;
    expect(await daemon.saveConfig({ scope: "global", text: "defaults:\n  concurrency: 1\n" })).toMatchObject({
      valid: true,
    });
    const until = async (what: string, probe: () => Promise<boolean>) => {
      const deadline = Date.now() + 20_000;
      while (!(await probe())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const resumes = () => world.requests().filter((l) => /^POST \/resume 202/.test(l)).length;
    /** Drops a ticket in; waits until the CLI handed it to the daemon and the daemon's run has it waiting. */
    const handOverWaiting = async (file: string, text: string, id: string) => {
      const before = resumes();
      writeFileSync(join(dir, file), text);
      await waitFor(`${id} handed over`, () => resumes() > before || undefined);
      await until(`${id} waiting for the slot`, async () => (await daemon.getTask(id)).waitingFor !== undefined);
    };
    const dir = backlog();
    const since = (await daemon.eventLog({ limit: 1 })).lastSeq;
    const cli = startCli(["watch", dir, "--rescan", "300"], { env, cwd: repo });
    try {
      await waitFor(
        "the watcher",
        () => cli.output().stdout.includes(`watching ${dir} for tickets; Ctrl-C to stop`) || undefined,
      );
      // The first ticket holds the one slot until its gate file exists.
      const go = join(world.root.path, "go-pa");
      writeFileSync(
        join(dir, "pa.yaml"),
        ticket(
          "pa",
          ["priority: 5"],
          [`  - write: { path: pa.txt, content: pa }`, `  - run: { cmd: "while [ ! -f ${go} ]; do sleep 0.05; done" }`],
        ),
      );
      await waitFor(
        "pa running in the daemon",
        () => /\[pa\] preparing → running/.test(cli.output().stdout) || undefined,
        40_000,
      );
      // Two batches meanwhile: a low-priority ticket, then (once the daemon has the first) a high one.
      await handOverWaiting("pb.yaml", ticket("pb", ["priority: 1"]), "pb");
      await handOverWaiting("pc.yaml", ticket("pc", ["priority: 9"]), "pc");
      expect((await daemon.getTask("pb")).state.status).toBe("queued");
      writeFileSync(go, "");
      for (const id of ["pa", "pb", "pc"])
        await waitFor(
          `${id} merged, as the CLI says`,
          () => new RegExp(`\\[${id}\\] merged into main`).test(cli.output().stdout) || undefined,
          60_000,
        );
      const log = async () => (await daemon.eventLog({ since, limit: 10_000 })).events;
      const started = (await log()).flatMap((e) =>
        e.payload.type === "task.status-changed" && e.payload.to.status === "preparing" ? [e.payload.taskId] : [],
      );
      expect(started).toEqual(["pa", "pc", "pb"]);
      for (const id of ["pa", "pb", "pc"]) expect(new Set(world.runOwners(id))).toEqual(new Set([daemonPid]));
      // While the CLI watches, the daemon's run is held: idle, it goes on for the tickets to come.
      expect((await log()).filter((e) => e.payload.type === "resume.finished")).toEqual([]);
      cli.child.kill("SIGINT");
      expect(await cli.exited).toBe(130);
      // Nobody feeds it anymore: the one run that took all three (the later tickets joined it) ends.
      const finished = async () =>
        (await log()).flatMap((e) => (e.payload.type === "resume.finished" ? [e.payload] : []));
      await until("the daemon's run to end", async () => (await finished()).length > 0);
      expect(await finished()).toEqual([
        { type: "resume.finished", resumeId: expect.any(String), taskIds: ["pa", "pb", "pc"] },
      ]);
    } finally {
      if (cli.child.exitCode === null) {
        cli.child.kill("SIGINT");
        await cli.exited;
      }
      await daemon.saveConfig({ scope: "global", text: "" });
    }
  }, 180_000);
});
