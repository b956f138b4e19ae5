import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "@flotilla/engine";
import { PlanSchema, type PlanInput, type Project, type Task, type TaskSpec } from "@flotilla/protocol";
import { git, isolatedEnv, makeRepo, tempDir } from "./support/fixtures.js";

const never = new AbortController().signal;
const HELD = /^held for approval: approve it in the inbox or run `flotilla merge /;

/**
 * Tasks run with `--no-merge` / `autoMerge: false` are held for a person's approval, and the hold
 * is stored with the task: whatever drives it later (a follow-up, another task's merge, a plan run
 * going on) leaves it waiting until a person approves THAT task. Real git, real SQLite, the
 * scripted agent.
 */
describe("tasks held for approval", () => {
  let root: ReturnType<typeof tempDir>;
  let repo: string;
  let env: Record<string, string | undefined>;
  let engine: Engine;
  let project: Project;

  beforeEach(async () => {
    root = tempDir("flotilla-hold-");
    repo = makeRepo(join(root.path, "repo"));
    env = isolatedEnv(root.path);
    engine = createEngine({ env, overrides: { defaults: { verify: "npm test --silent" } } });
    project = await engine.projects.add({ path: repo });
  });
  afterEach(() => {
    engine.close();
    root.cleanup();
  });

  /** A held task that writes `file` (and, on a follow-up, appends to it), run until it rests. */
  async function held(id: string, file: string, extra: Partial<TaskSpec> = {}): Promise<Task> {
    await engine.createTask(project, {
      id,
      prompt: `write ${file}`,
      agent: "scripted",
      writes: [file],
      review: false,
      holdForApproval: true,
      script: {
        steps: [{ write: { path: file, content: `${id}\n` } }],
        followUps: [[{ append: { path: file, content: "more\n" } }]],
      },
      ...extra,
    });
    return engine.runTask(id, { shutdown: never });
  }
  const onMain = (file: string) => existsSync(join(repo, file)) && git(repo, "ls-files", file) === file;
  const expectHeld = (task: Task) => {
    expect(task.holdForApproval).toBe(true);
    expect(task.state).toEqual({ status: "awaiting_merge", reason: expect.stringMatching(HELD) });
  };
  const approvalOf = (taskId: string) => engine.inbox().find((i) => i.taskId === taskId && i.kind === "approval");

  it("rests in awaiting_merge with the hold as its reason, listed in the inbox for approval", async () => {
    const task = await held("solo", "solo.txt");
    expectHeld(task);
    expect(task.state.status === "awaiting_merge" && task.state.reason).toContain("flotilla merge solo");
    expect(onMain("solo.txt")).toBe(false);
    expect(approvalOf("solo")).toMatchObject({ text: expect.stringMatching(HELD), actions: ["approve", "deny"] });
  });

  it("a follow-up goes through verify and comes back held, not merged; `merge` then lands it", async () => {
    await held("follow", "follow.txt");
    const mainBefore = git(repo, "rev-parse", "main");
    const after = await engine.followUp("follow", "Add a line.", { shutdown: never });
    expectHeld(after);
    expect(git(repo, "rev-parse", "main")).toBe(mainBefore);
    expect(git(after.worktreePath!, "show", "HEAD:follow.txt")).toBe("follow\nmore");
    expect(engine.store.read.events.since(0, { taskId: "follow", types: ["merge.started"] })).toEqual([]);

    const landed = await engine.merge("follow", { shutdown: never });
    expect(landed.state.status).toBe("merged");
    expect(landed.holdForApproval).toBe(false);
    expect(git(repo, "show", "main:follow.txt")).toBe("follow\nmore");
  });

  it("merging one of two held tasks lands only that one; the other stays held, also after a restart", async () => {
    await held("one", "one.txt");
    await held("two", "two.txt");
    const landed = await engine.merge("one", { shutdown: never });
    expect(landed.state.status).toBe("merged");
    expect(git(repo, "show", "main:one.txt")).toBe("one");
    expectHeld(engine.task("two"));
    expect(onMain("two.txt")).toBe(false);

    // The hold is in the store: a new engine (another process) and `resume` leave it held.
    engine.close();
    engine = createEngine({ env, overrides: { defaults: { verify: "npm test --silent" } } });
    await engine.resume({ shutdown: never });
    expectHeld(engine.task("two"));
    expect(onMain("two.txt")).toBe(false);

    // Approving its inbox item is the person's approval: it lands.
    const item = approvalOf("two");
    expect(item).toBeDefined();
    const approved = await engine.approve(item!.id, { shutdown: never });
    expect(approved.state.status).toBe("merged");
    expect(git(repo, "show", "main:two.txt")).toBe("two");
  });

  it("held tasks of another run keep their locks but take no slot from a new run", async () => {
    // Two held tasks from earlier runs keep their write leases (parked, waiting for a person).
    await held("p1", "p1.txt");
    await held("p2", "p2.txt");
    expect(engine.store.read.leases.get("p1")).toBeDefined();
    // A new run at concurrency 1: its task starts at once instead of waiting for a slot.
    await engine.createTask(project, {
      id: "fresh",
      prompt: "write fresh.txt",
      agent: "scripted",
      writes: ["fresh.txt"],
      review: false,
      script: [{ write: { path: "fresh.txt", content: "fresh\n" } }],
    });
    const [fresh] = await engine.runTasks(["fresh"], { shutdown: never, concurrency: 1 });
    expect(fresh?.state.status).toBe("merged");
    const waits = engine.store.read.events
      .since(0, { taskId: "fresh", types: ["task.waiting"] })
      .map((e) => (e.payload.type === "task.waiting" ? e.payload.reason : ""));
    expect(waits.filter((r) => r.includes("slot"))).toEqual([]);
  });

  describe("a plan held for approval", () => {
    const writer = (id: string, dependsOn: string[] = []): PlanInput["tasks"][number] => ({
      id,
      prompt: `write ${id}.txt`,
      writes: [`${id}.txt`],
      dependsOn,
      review: false,
      script: [{ write: { path: `${id}.txt`, content: `${id}\n` } }],
    });
    async function runHeldPlan(plan: PlanInput, concurrency: number) {
      const { tasks } = await engine.createPlan(project, PlanSchema.parse(plan), {
        concurrency,
        holdForApproval: true,
      });
      const finals = await engine.runTasks(
        tasks.map((t) => t.id),
        { shutdown: never, concurrency },
      );
      return new Map(finals.map((t) => [t.planKey ?? t.id, t]));
    }

    it("A→B: the run rests with A held and B waiting; approving A lands it and B starts, then rests held", async () => {
      const first = await runHeldPlan({ tasks: [writer("a"), writer("b", ["a"])] }, 2);
      const a = first.get("a")!;
      const b = first.get("b")!;
      expectHeld(a);
      expect(b.holdForApproval).toBe(true);
      expect(b.state.status).toBe("queued");
      expect(b.waitingFor).toBe(`waits for ${a.id} to merge`);

      const approved = await engine.approve(approvalOf(a.id)!.id, { shutdown: never });
      expect(approved.id).toBe(a.id);
      expect(approved.state.status).toBe("merged");
      expect(git(repo, "show", "main:a.txt")).toBe("a");
      // B went on in the same call (the scheduler decided it could start), and waits held.
      expectHeld(engine.task(b.id));
      expect(onMain("b.txt")).toBe(false);
      expect(git(engine.task(b.id).worktreePath!, "show", "HEAD:a.txt")).toBe("a");

      expect((await engine.merge(b.id, { shutdown: never })).state.status).toBe("merged");
      expect(git(repo, "show", "main:b.txt")).toBe("b");
    });

    it("held tasks keep their write locks but take no slot: every independent task gets done at concurrency 1", async () => {
      const finals = await runHeldPlan({ tasks: [writer("x"), writer("y"), writer("z")] }, 1);
      for (const key of ["x", "y", "z"]) expectHeld(finals.get(key)!);
      expect(git(repo, "log", "--oneline", "main").split("\n")).toHaveLength(1);
    });
  });
});
