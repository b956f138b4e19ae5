import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findProcessesByMarker } from "@flotilla/engine";
import { git, isolatedEnv, lastJsonLine, makeRepo, runCli, startCli, tempDir, waitFor } from "./support/fixtures.js";

describe("write-lock leases across Flotilla processes", () => {
  let root: ReturnType<typeof tempDir>;
  let env: Record<string, string | undefined>;
  let repo: string;
  beforeEach(() => {
    root = tempDir("flotilla-lease-");
    env = isolatedEnv(root.path, { FLOTILLA_CONCURRENCY: "2" });
    repo = makeRepo(join(root.path, "repo"));
  });
  afterEach(() => root.cleanup());

  it("a task waits for a lock held by another process, and goes on once that holder is killed (stale lease released)", async () => {
    const holderPlan = join(root.path, "holder.yaml");
    writeFileSync(
      holderPlan,
      "tasks:\n  - id: holder\n    prompt: hold the lock\n    writes: [shared.txt]\n    script:\n      - write: { path: shared.txt, content: holder }\n      - hang: {}\n",
    );
    const waiterPlan = join(root.path, "waiter.yaml");
    writeFileSync(
      waiterPlan,
      "tasks:\n  - id: waiter\n    prompt: needs the same file\n    writes: [shared.txt]\n    review: false\n    script:\n      - write: { path: shared.txt, content: waiter }\n",
    );
    const holder = startCli(["run", holderPlan, "--repo", repo], { env });
    await waitFor("the holder's lease", () => {
      const s = runCli(["status", "--json"], { env });
      const tasks = JSON.parse(s.stdout || "[]") as { planKey?: string; state: { status: string } }[];
      return tasks.some((t) => t.planKey === "holder" && t.state.status === "running") || undefined;
    });
    const waiter = startCli(["run", waiterPlan, "--repo", repo, "--json"], { env });
    const waitingFor = await waitFor("the waiter to record what it waits for", () => {
      const s = runCli(["status", "--json"], { env });
      const tasks = JSON.parse(s.stdout || "[]") as { planKey?: string; waitingFor?: string }[];
      return tasks.find((t) => t.planKey === "waiter")?.waitingFor;
    });
    expect(waitingFor).toMatch(/write lock.*shared\.txt.*holder/);

    holder.child.kill("SIGKILL");
    await holder.exited;
    expect(await waiter.exited).toBe(0);
    expect(lastJsonLine(waiter.output().stdout)).toMatchObject({ tasks: [{ status: "merged" }] });
    expect(git(repo, "show", "main:shared.txt")).toBe("waiter");
    // The next command reconciles: the holder's orphaned agent is ended, its task interrupted.
    const after = runCli(["status", "--json"], { env });
    expect(after.stderr).toMatch(/interrupted/);
    const holderTask = (JSON.parse(after.stdout) as { id: string; planKey?: string; state: { status: string } }[]).find(
      (t) => t.planKey === "holder",
    );
    expect(holderTask?.state.status).toBe("interrupted");
    const runs = (
      JSON.parse(runCli(["status", holderTask?.id ?? "", "--json"], { env }).stdout) as { runs: { marker: string }[] }
    ).runs;
    expect(findProcessesByMarker(runs[0]?.marker ?? "none")).toEqual([]);
  }, 90_000);
});
