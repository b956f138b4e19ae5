import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CLI, isolatedEnv, makeRepo, startCli, tempDir, waitFor } from "./support/fixtures.js";

/**
 * The TUI in a real terminal: tmux runs `flotilla tui` while `flotilla run plan.yaml` drives a
 * plan in another process; keys are sent with send-keys and the screen read with capture-pane.
 */

function tmux(...args: string[]): { ok: boolean; out: string } {
  const r = spawnSync("tmux", args, { encoding: "utf8" });
  return { ok: r.status === 0, out: r.stdout ?? "" };
}

const PLAN = `
tasks:
  - id: hang
    prompt: Hang until aborted
    writes: [hang.txt]
    review: false
    script:
      - say: { text: "hang: thinking hard" }
      - hang: {}
  - id: quick
    prompt: Quick writer
    writes: [quick.txt]
    review: false
    script:
      - say: { text: "quick: writing" }
      - write: { path: quick.txt, content: "quick\\n" }
  - id: after
    prompt: Waits on hang
    dependsOn: [hang]
    writes: [after.txt]
    review: false
    script:
      - write: { path: after.txt, content: "after\\n" }
`;

describe("flotilla tui in a real terminal (tmux)", () => {
  let root: ReturnType<typeof tempDir>;
  let session: string;
  let run: ReturnType<typeof startCli> | undefined;

  beforeEach(() => {
    root = tempDir("flotilla-tui-");
    session = `flotilla-tui-${process.pid}-${Date.now()}`;
  });
  afterEach(async () => {
    tmux("kill-session", "-t", session);
    if (run && run.child.exitCode === null) {
      run.child.kill("SIGTERM");
      await run.exited;
    }
    root.cleanup();
  });

  const screen = () => tmux("capture-pane", "-p", "-t", session).out;
  /** Runs `flotilla <args>` as the only command of a detached 160×45 tmux session, with the test's state dirs. */
  const openInTmux = (env: Record<string, string | undefined>, args: string[]) =>
    tmux(
      "new-session",
      "-d",
      "-s",
      session,
      "-x",
      "160",
      "-y",
      "45",
      "env",
      `FLOTILLA_HOME=${env.FLOTILLA_HOME ?? ""}`,
      `XDG_CONFIG_HOME=${env.XDG_CONFIG_HOME ?? ""}`,
      "NO_COLOR=1",
      process.execPath,
      CLI,
      ...args,
    );
  /** Polls the screen until `test` holds; on a timeout, the error carries the last screen. */
  const until = async (what: string, test: (s: string) => boolean, timeoutMs = 30_000) => {
    let last = "";
    try {
      return await waitFor(
        what,
        () => {
          last = screen();
          return test(last) ? last : undefined;
        },
        timeoutMs,
      );
    } catch (err) {
      const log = run?.output();
      throw new Error(`${String(err)}\n--- screen ---\n${last}\n--- run stderr ---\n${log?.stderr ?? ""}`, {
        cause: err,
      });
    }
  };
  const selectedLine = (s: string) => s.split("\n").find((l) => l.includes("›")) ?? "";

  it("shows the board, badges and agent panes; j/k, enter/esc navigate; a aborts; q quits", async () => {
    const repo = makeRepo(join(root.path, "repo"));
    const env = isolatedEnv(root.path);
    const plan = join(root.path, "plan.yaml");
    writeFileSync(plan, PLAN);
    run = startCli(["run", plan, "--repo", repo, "--concurrency", "2"], { env });

    const started = openInTmux(env, ["tui"]);
    expect(started.ok).toBe(true);

    // The hanging task runs (its pane shows its output), quick lands, after waits for hang.
    let s = await until(
      "the running hang task, merged quick task and waiting after task",
      (x) => /● running/.test(x) && /✓ merged/.test(x) && /waits for/.test(x) && x.includes("hang: thinking hard"),
      45_000,
    );
    expect(s).toMatch(/Tasks \(3\)/);
    expect(s).toMatch(/RUNNING \(1\)/);
    expect(s).toMatch(/Merge queue/);
    expect(s).toMatch(/Needs you/);
    expect(selectedLine(s)).toMatch(/● running/);

    // j moves the selection down to the waiting task, k back up.
    tmux("send-keys", "-t", session, "j");
    await until("the selection on the waiting task", (x) => /○ queued after/.test(selectedLine(x)));
    tmux("send-keys", "-t", session, "k");
    await until("the selection back on the running task", (x) => /● running hang/.test(selectedLine(x)));

    // enter opens the detail, esc goes back.
    tmux("send-keys", "-t", session, "Enter");
    s = await until("the task detail", (x) => /\(esc back\)/.test(x) && /Runs/.test(x));
    expect(s).toContain("hang: thinking hard");
    tmux("send-keys", "-t", session, "Escape");
    await until("the main screen again", (x) => /Merge queue/.test(x));

    // a aborts the selected (hanging) task through the client.
    tmux("send-keys", "-t", session, "a");
    s = await until("the abort banner and the cancelled badge", (x) => /aborted task/.test(x) && /⊘ cancelled/.test(x));
    expect(s).toMatch(/no agent is running/);

    // x removes the cancelled task's worktree (client.cleanTask); its branch stays.
    for (let i = 0; i < 4 && !/cancelled hang/.test(selectedLine(screen())); i++) {
      tmux("send-keys", "-t", session, "j");
      await new Promise((r) => setTimeout(r, 300));
    }
    await until("the selection on the cancelled task", (x) => /⊘ cancelled hang/.test(selectedLine(x)));
    tmux("send-keys", "-t", session, "x");
    await until("the clean-up banner", (x) => /removed the worktree of task \S+ \(its branch stays\)/.test(x));

    // q quits cleanly: the session (whose only command is the TUI) ends.
    tmux("send-keys", "-t", session, "q");
    await waitFor("the TUI to exit", () => !tmux("has-session", "-t", session).ok, 10_000);
  });

  it("E edits the global config: a problem is shown at its line and not saved; a valid text is saved", async () => {
    const repo = makeRepo(join(root.path, "repo"));
    const env = isolatedEnv(root.path);
    expect(spawnSync(process.execPath, [CLI, "project", "add", repo], { env }).status).toBe(0);
    const file = join(env.XDG_CONFIG_HOME ?? "", "flotilla", "config.yaml");
    expect(openInTmux(env, ["tui"]).ok).toBe(true);
    await until("the board", (x) => /Tasks \(0\)/.test(x));
    tmux("send-keys", "-t", session, "E");
    await until("the editor on the new global file", (x) => x.includes(`Edit global config: ${file} (new)`));
    tmux("send-keys", "-t", session, "-l", "defaults:");
    tmux("send-keys", "-t", session, "Enter");
    tmux("send-keys", "-t", session, "-l", "  concurrency: lots");
    await until("the problem under line 2", (x) => /↳ line 2:16 defaults\.concurrency: expected number/.test(x));
    tmux("send-keys", "-t", session, "C-s");
    await until("the refusal", (x) => /not saved: 1 problem/.test(x));
    expect(existsSync(file)).toBe(false);
    tmux("send-keys", "-t", session, "BSpace", "BSpace", "BSpace", "BSpace");
    tmux("send-keys", "-t", session, "-l", "7");
    await until("a valid text", (x) => /✓ valid/.test(x));
    tmux("send-keys", "-t", session, "C-s");
    await until("the saved banner", (x) => x.includes(`saved ${file}`));
    expect(readFileSync(file, "utf8")).toBe("defaults:\n  concurrency: 7");
    await until("the merged config, read again", (x) => /defaults\.concurrency: 7/.test(x));
    tmux("send-keys", "-t", session, "q");
    await waitFor("the TUI to exit", () => !tmux("has-session", "-t", session).ok, 10_000);
  });

  it("run --tui runs the plan in the same process with the UI on it; q leaves the rest interrupted", async () => {
    const repo = makeRepo(join(root.path, "repo"));
    const env = isolatedEnv(root.path);
    const plan = join(root.path, "plan.yaml");
    writeFileSync(plan, PLAN);
    const started = openInTmux(env, ["run", plan, "--repo", repo, "--concurrency", "2", "--tui"]);
    expect(started.ok).toBe(true);
    await until(
      "the plan on the board",
      (x) => /● running/.test(x) && /✓ merged/.test(x) && x.includes("hang: thinking hard"),
      45_000,
    );
    tmux("send-keys", "-t", session, "q");
    await waitFor("run --tui to exit", () => !tmux("has-session", "-t", session).ok, 20_000);
    const status = spawnSync(process.execPath, [CLI, "status", "--json"], {
      env,
      encoding: "utf8",
    });
    const tasks = JSON.parse(status.stdout) as { planKey?: string; state: { status: string } }[];
    expect(tasks.find((t) => t.planKey === "quick")?.state.status).toBe("merged");
    expect(tasks.find((t) => t.planKey === "hang")?.state.status).toBe("interrupted");
  });
});
