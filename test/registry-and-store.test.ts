import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine } from "@flotilla/engine";
import { git, isolatedEnv, lastJsonLine, makeRepo, ROOT, runCli, tempDir } from "./support/fixtures.js";

describe("the project registry", () => {
  let root: ReturnType<typeof tempDir>;
  let env: Record<string, string | undefined>;
  beforeEach(() => {
    root = tempDir("flotilla-reg-");
    env = isolatedEnv(root.path);
  });
  afterEach(() => root.cleanup());

  it("adds (resolving . against the cwd to the top of the work tree), lists, selects, removes — persisted", () => {
    const repo = makeRepo(join(root.path, "repo"));
    mkdirSync(join(repo, "src", "deep"), { recursive: true });
    const added = runCli(["project", "add", ".", "--json"], { env, cwd: join(repo, "src") });
    expect(added.status, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ name: "repo", path: repo });
    const other = makeRepo(join(root.path, "other"));
    expect(runCli(["project", "add", other], { env }).status).toBe(0);

    const list = JSON.parse(runCli(["project", "list", "--json"], { env }).stdout) as {
      path: string;
      selected: boolean;
    }[];
    expect(list.map((p) => [p.path, p.selected])).toEqual([
      [repo, true],
      [other, false],
    ]);
    expect(runCli(["project", "select", "other"], { env }).status).toBe(0);
    const after = JSON.parse(runCli(["project", "list", "--json"], { env }).stdout) as {
      path: string;
      selected: boolean;
    }[];
    expect(after.find((p) => p.selected)?.path).toBe(other);

    expect(runCli(["project", "remove", repo], { env }).status).toBe(0);
    const left = JSON.parse(runCli(["project", "list", "--json"], { env }).stdout) as { path: string }[];
    expect(left.map((p) => p.path)).toEqual([other]);
    expect(existsSync(join(repo, ".git"))).toBe(true); // the repository itself is untouched
    const unknown = runCli(["project", "select", "nope"], { env });
    expect(unknown.status).toBe(3);
    expect(unknown.stderr).toMatch(/no project "nope"/);
  });

  it("refuses relative paths in the API, missing paths, files, non-repos, and paths outside the allowed roots", async () => {
    const repo = makeRepo(join(root.path, "repo"));
    const allowed = join(root.path, "allowed");
    mkdirSync(allowed);
    const engine = createEngine({ env: { ...env, FLOTILLA_ALLOWED_ROOTS: allowed } });
    try {
      await expect(engine.projects.add({ path: "relative/repo" })).rejects.toThrow(/must be an absolute path/);
      await expect(engine.projects.add({ path: join(root.path, "missing") })).rejects.toThrow(/does not exist/);
      writeFileSync(join(root.path, "file.txt"), "x");
      await expect(engine.projects.add({ path: join(root.path, "file.txt") })).rejects.toThrow(/not a directory/);
      await expect(engine.projects.add({ path: allowed })).rejects.toThrow(/not a git repository/);
      await expect(engine.projects.add({ path: repo })).rejects.toThrow(/outside the allowed roots/);
      const inside = makeRepo(join(allowed, "ok"));
      await expect(engine.projects.add({ path: inside })).resolves.toMatchObject({ path: inside });
      expect(engine.projects.list()).toHaveLength(1);
    } finally {
      engine.close();
    }
  });
});

describe("the store", () => {
  let root: ReturnType<typeof tempDir>;
  beforeEach(() => (root = tempDir("flotilla-store-")));
  afterEach(() => root.cleanup());

  it("is SQLite in WAL mode with foreign keys, numbered migrations, and refuses a newer schema", () => {
    const engine = createEngine({ env: isolatedEnv(root.path) });
    const file = engine.store.file;
    engine.close();
    const db = new Database(file);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    const versions = (
      db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as { version: number }[]
    ).map((r) => r.version);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6]);
    db.pragma("foreign_keys = ON");
    expect(() =>
      db
        .prepare(
          "INSERT INTO runs (id, task_id, attempt, agent, status, marker, started_at) VALUES ('r', 'no-such-task', 1, 'a', 'running', 'm', 'now')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 'now')").run();
    db.close();
    expect(() => createEngine({ env: isolatedEnv(root.path) })).toThrow(/newer Flotilla/);
  });
});

describe("logs, ci and clean", () => {
  let root: ReturnType<typeof tempDir>;
  let env: Record<string, string | undefined>;
  let repo: string;
  beforeEach(() => {
    root = tempDir("flotilla-cmds-");
    env = isolatedEnv(root.path, { FLOTILLA_VERIFY: "npm test --silent" });
    repo = makeRepo(join(root.path, "repo"));
  });
  afterEach(() => root.cleanup());

  it("logs shows the task's story; ci shows the PASS recorded for the merged commit", () => {
    const script = join(root.path, "s.yaml");
    writeFileSync(script, "- say: { text: hello from the agent }\n- write: { path: n.txt, content: n }\n");
    const run = runCli(["run", "note", "--repo", repo, "--script", script, "--id", "note", "--json"], { env });
    expect(run.status, run.stderr).toBe(0);
    const commit = (lastJsonLine(run.stdout) as { tasks: { commit: string }[] }).tasks[0]?.commit ?? "";
    const logs = runCli(["logs", "note"], { env });
    expect(logs.stdout).toMatch(/agent: hello from the agent/);
    expect(logs.stdout).toMatch(/verify PASS/);
    expect(logs.stdout).toMatch(/merged into main/);
    const jsonLogs = runCli(["logs", "note", "--json"], { env })
      .stdout.trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { seq: number });
    expect(jsonLogs.map((e) => e.seq)).toEqual([...jsonLogs.map((e) => e.seq)].sort((a, b) => a - b));
    const messages = runCli(["logs", "note", "--messages"], { env }).stdout;
    expect(messages).toMatch(/── run_[0-9a-z]{26} · scripted · attempt 1/);
    expect(messages).toMatch(/agent: hello from the agent/);
    expect(messages).toMatch(/→ write \{"path":"n.txt"\}/);
    expect(messages).not.toMatch(/verify/);
    const ci = runCli(["ci", commit.slice(0, 8), "--json"], { env });
    expect(ci.status).toBe(0);
    expect(JSON.parse(ci.stdout)).toMatchObject({ commit, status: "pass", command: ["npm", "test", "--silent"] });
    expect(existsSync(join(root.path, "home", "ci-status", `${commit}.json`))).toBe(true);
    expect(runCli(["ci", "zzzz"], { env }).status).toBe(2);
    expect(runCli(["ci", "abcdef12"], { env }).status).toBe(3);
  });

  it("clean removes orphaned worktrees and landed branches, and keeps uncommitted work and unmerged commits", () => {
    const script = join(root.path, "s.yaml");
    writeFileSync(script, "- write: { path: c.txt, content: c }\n");
    expect(runCli(["run", "c", "--repo", repo, "--script", script, "--id", "landed"], { env }).status).toBe(0);
    const base = join(root.path, "home", "worktrees");
    const worktrees = join(base, readdirSync(base).find((d) => d.startsWith("repo-")) ?? "missing");
    // An orphaned clean worktree, an orphaned dirty one, a landed branch, an unmerged branch.
    git(repo, "branch", "flotilla/old-landed", "main");
    git(repo, "worktree", "add", "-q", "-b", "flotilla/orphan-clean", join(worktrees, "a"), "main");
    git(repo, "worktree", "add", "-q", "-b", "flotilla/orphan-dirty", join(worktrees, "b"), "main");
    writeFileSync(join(worktrees, "b", "wip.txt"), "precious");
    git(repo, "checkout", "-q", "-b", "flotilla/unmerged");
    writeFileSync(join(repo, "u.txt"), "u");
    git(repo, "add", "u.txt");
    git(repo, "commit", "-qm", "unmerged work");
    git(repo, "checkout", "-q", "main");
    const clean = runCli(["clean", "--json"], { env });
    expect(clean.status, clean.stderr).toBe(0);
    const branches = git(repo, "branch", "--list", "flotilla/*");
    expect(branches).not.toContain("old-landed");
    expect(branches).toContain("flotilla/unmerged");
    expect(existsSync(join(worktrees, "b", "wip.txt"))).toBe(true);
    expect(existsSync(join(worktrees, "a"))).toBe(false);
    expect(branches).not.toContain("orphan-clean");
    expect(branches).toContain("orphan-dirty");
    // The pool's idle worktree is not an orphan.
    expect(git(repo, "worktree", "list")).toContain(`task-landed-`);
    expect(JSON.stringify(JSON.parse(clean.stdout))).toContain("uncommitted");
  });
});

describe("flotilla doctor", () => {
  let root: ReturnType<typeof tempDir>;
  beforeEach(() => (root = tempDir("flotilla-doctor-")));
  afterEach(() => root.cleanup());

  it("finds the installed agent CLIs and their versions, and says how to fix the missing ones", () => {
    const env = isolatedEnv(root.path, { PATH: "/usr/bin:/bin", HOME: root.path, ANTHROPIC_API_KEY: "" });
    const bare = runCli(["doctor", "--json"], { env });
    expect(bare.status).toBe(0); // the default agent (scripted) is usable
    const missing = JSON.parse(bare.stdout) as {
      git: { ok: boolean };
      agents: { provider: string; ok: boolean; fixes: string[] }[];
    };
    expect(missing.git.ok).toBe(true);
    const claude = missing.agents.find((a) => a.provider === "claude-code");
    expect(claude?.ok).toBe(false);
    expect(claude?.fixes.join(" ")).toMatch(/npm install -g @anthropic-ai\/claude-code/);

    const withBins = runCli(["doctor", "--json"], {
      env: { ...env, PATH: `${join(ROOT, "node_modules", ".bin")}:/usr/bin:/bin`, ANTHROPIC_API_KEY: "sk-test" },
    });
    const found = JSON.parse(withBins.stdout) as {
      agents: { provider: string; ok: boolean; version?: string; configured: boolean }[];
    };
    expect(found.agents.find((a) => a.provider === "claude-code")).toMatchObject({
      ok: true,
      configured: true,
      version: expect.stringMatching(/2\.1\.197/),
    });
    expect(found.agents.find((a) => a.provider === "codex")).toMatchObject({
      ok: true,
      version: expect.stringMatching(/0\.169\.0/),
    });
    expect(withBins.stdout).not.toContain("sk-test");
  });
});

describe("an agent CLI too old for its adapter", () => {
  let root: ReturnType<typeof tempDir>;
  beforeEach(() => (root = tempDir("flotilla-oldcli-")));
  afterEach(() => root.cleanup());

  it("fails the task with a reason naming the agent, both versions and the upgrade", async () => {
    const repo = makeRepo(join(root.path, "repo"));
    const fake = join(root.path, "claude");
    writeFileSync(
      fake,
      '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "1.0.3 (Claude Code)"; exit 0; fi\necho "error: unknown option --output-format" >&2\nexit 1\n',
    );
    chmodSync(fake, 0o755);
    const engine = createEngine({
      env: isolatedEnv(root.path),
      overrides: {
        providers: { old: { adapter: "claude-code", command: fake } },
        agents: { "old-claude": { provider: "old" } },
      },
    });
    try {
      const project = await engine.projects.add({ path: repo });
      const task = await engine.createTask(project, {
        id: "old",
        prompt: "anything",
        agent: "old-claude",
        review: false,
      });
      const final = await engine.runTask(task.id, { shutdown: new AbortController().signal });
      expect(final.state.status).toBe("failed");
      if (final.state.status === "failed") {
        expect(final.state.reason).toMatch(/agent "old-claude": .*claude is version 1\.0\.3, older than 2\.1\.0/);
        expect(final.state.reason).toMatch(/npm install -g @anthropic-ai\/claude-code/);
      }
    } finally {
      engine.close();
    }
  });
});
