import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { git, isolatedEnv, lastJsonLine, makeRepo, runCli, startCli, tempDir, waitFor } from "./support/fixtures.js";

const ticket = (id: string, file: string, priority = 0) =>
  `id: ${id}\nprompt: write ${file}\npriority: ${priority}\nwrites: [${file}]\nreview: false\nscript:\n  - write: { path: ${file}, content: "${id}\\n" }\n`;

describe("flotilla watch: a backlog folder of tickets (seed 001)", () => {
  let root: ReturnType<typeof tempDir>;
  let env: Record<string, string | undefined>;
  let repo: string;
  let backlog: string;
  beforeEach(() => {
    root = tempDir("flotilla-watch-");
    env = isolatedEnv(root.path, { FLOTILLA_CONCURRENCY: "1" });
    repo = makeRepo(join(root.path, "repo"));
    backlog = join(root.path, "backlog");
    mkdirSync(backlog);
  });
  afterEach(() => root.cleanup());

  it("--once runs the tickets there, higher priority first", () => {
    writeFileSync(join(backlog, "low.yaml"), ticket("low", "low.txt", 1));
    writeFileSync(join(backlog, "high.yaml"), ticket("high", "high.txt", 9));
    const result = runCli(["watch", backlog, "--repo", repo, "--once", "--json"], { env, timeoutMs: 120_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(lastJsonLine(result.stdout)).toMatchObject({
      tasks: expect.arrayContaining([
        expect.objectContaining({ id: "high", status: "merged" }),
        expect.objectContaining({ id: "low", status: "merged" }),
      ]),
    });
    const log = git(repo, "log", "--format=%s", "main").split("\n");
    expect(log.indexOf("low")).toBeGreaterThan(-1);
    expect(log.indexOf("low")).toBeLessThan(log.indexOf("high")); // newest first: low landed last
  });

  it("picks up tickets written while it runs; a half-written ticket is retried, never crashes it", async () => {
    const cli = startCli(["watch", backlog, "--repo", repo, "--rescan", "300"], { env });
    await waitFor("the watcher", () => cli.output().stdout.includes("watching") || undefined);
    writeFileSync(join(backlog, "a.yaml"), ticket("a", "a.txt"));
    await waitFor(
      "ticket a merged",
      () => git(repo, "log", "--format=%s", "main").split("\n").includes("a") || undefined,
      60_000,
    );

    const half = ticket("b", "b.txt");
    writeFileSync(join(backlog, "b.yaml"), half.slice(0, half.indexOf("writes")) + "writes: [b.t");
    await waitFor("the error for the half-written ticket", () => cli.output().stderr.includes("b.yaml") || undefined);
    writeFileSync(join(backlog, "b.yaml"), half);
    await waitFor(
      "ticket b merged",
      () => git(repo, "log", "--format=%s", "main").split("\n").includes("b") || undefined,
      60_000,
    );
    expect(cli.child.exitCode).toBeNull();

    cli.child.kill("SIGTERM");
    await cli.exited;
    const tasks = JSON.parse(runCli(["status", "--json"], { env }).stdout) as {
      id: string;
      state: { status: string };
    }[];
    expect(tasks.map((t) => [t.id, t.state.status])).toEqual([
      ["a", "merged"],
      ["b", "merged"],
    ]);
  }, 120_000);
});
