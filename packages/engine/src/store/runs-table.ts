import type { Run, RunStatus } from "@flotilla/protocol";
import type { Db } from "./database.js";
import { orUndefined } from "./json-column.js";

interface RunRow {
  id: string;
  task_id: string;
  attempt: number;
  agent: string;
  status: string;
  session_id: string | null;
  owner_pid: number | null;
  owner_started_at: string | null;
  agent_pid: number | null;
  marker: string;
  exit_code: number | null;
  reason: string | null;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  started_at: string;
  ended_at: string | null;
  role: string;
  asked_by: string | null;
}

/**
 * The orchestrator agent answering a question a run asked over MCP (`ask`, mcp.ask: orchestrator):
 * stored in the runs table as a run of the asking task with role `orchestrator` (`askedBy` is the
 * asking run), so its usage counts toward the task's and the plan's budgets and metrics, and a
 * Flotilla restart finds and sweeps its process by its marker like any run's. It is NOT one of the
 * task's runs: `get`, `listForTask` and `latestForTask` never return it (attempts, the ladder,
 * sessions, the inbox, the UIs and logs see the task's agent runs only); `answersForTask` does.
 */
export type AnswerRun = Omit<Run, "role"> & { role: "orchestrator"; askedBy: string };

/** The role of an answer's row (never a task's agent run). */
const ANSWER_ROLE = "orchestrator";
/** SQL: the rows that are the task's agent runs (coder and reviewer), not the orchestrator's answers. */
const AGENT_RUN = `role != '${ANSWER_ROLE}'`;

function toRun(r: RunRow): Run {
  const run: Run = {
    id: r.id,
    role: r.role === "reviewer" ? "reviewer" : "coder",
    taskId: r.task_id,
    attempt: r.attempt,
    agent: r.agent,
    status: r.status as RunStatus,
    marker: r.marker,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    costUsd: r.cost_usd,
    startedAt: r.started_at,
  };
  const optional = {
    sessionId: orUndefined(r.session_id),
    ownerPid: orUndefined(r.owner_pid),
    ownerStartedAt: orUndefined(r.owner_started_at),
    agentPid: orUndefined(r.agent_pid),
    exitCode: orUndefined(r.exit_code),
    reason: orUndefined(r.reason),
    endedAt: orUndefined(r.ended_at),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (run as Record<string, unknown>)[k] = v;
  return run;
}

function toAnswer(r: RunRow): AnswerRun {
  const { role: _role, ...run } = toRun(r);
  return { ...run, role: ANSWER_ROLE, askedBy: r.asked_by ?? "" };
}

function toAny(r: RunRow): Run | AnswerRun {
  return r.role === ANSWER_ROLE ? toAnswer(r) : toRun(r);
}

export type RunPatch = Partial<
  Pick<
    Run,
    "status" | "sessionId" | "agentPid" | "exitCode" | "reason" | "endedAt" | "inputTokens" | "outputTokens" | "costUsd"
  >
>;

const COLUMN: Record<keyof RunPatch, string> = {
  status: "status",
  sessionId: "session_id",
  agentPid: "agent_pid",
  exitCode: "exit_code",
  reason: "reason",
  endedAt: "ended_at",
  inputTokens: "input_tokens",
  outputTokens: "output_tokens",
  costUsd: "cost_usd",
};

export function createRunsTable(db: Db) {
  const insertRow = (r: Omit<Run, "role">, role: string, askedBy: string | null): void => {
    db.prepare(
      `INSERT INTO runs (id, task_id, attempt, agent, status, session_id, owner_pid, owner_started_at, agent_pid, marker,
         input_tokens, output_tokens, cost_usd, started_at, role, asked_by)
       VALUES (@id, @taskId, @attempt, @agent, @status, @sessionId, @ownerPid, @ownerStartedAt, @agentPid, @marker,
         @inputTokens, @outputTokens, @costUsd, @startedAt, @role, @askedBy)`,
    ).run({
      ...r,
      role,
      askedBy,
      sessionId: r.sessionId ?? null,
      ownerPid: r.ownerPid ?? null,
      ownerStartedAt: r.ownerStartedAt ?? null,
      agentPid: r.agentPid ?? null,
    });
  };
  return {
    insert(r: Omit<Run, "role">, role: Run["role"] = "coder"): void {
      insertRow(r, role, null);
    },
    /** Records an orchestrator's answer (see AnswerRun); its `attempt` numbers the task's answers. */
    insertAnswer(r: AnswerRun): void {
      const { role: _role, askedBy, ...run } = r;
      insertRow(run, ANSWER_ROLE, askedBy);
    },
    /** A task's agent run (coder or reviewer); never an orchestrator's answer. */
    get(id: string): Run | undefined {
      const r = db.prepare(`SELECT * FROM runs WHERE id = ? AND ${AGENT_RUN}`).get(id) as RunRow | undefined;
      return r && toRun(r);
    },
    /** The task's agent runs (coder and reviewer), oldest first; the orchestrator's answers are in `answersForTask`. */
    listForTask(taskId: string): Run[] {
      return (
        db.prepare(`SELECT * FROM runs WHERE task_id = ? AND ${AGENT_RUN} ORDER BY attempt, id`).all(taskId) as RunRow[]
      ).map(toRun);
    },
    latestForTask(taskId: string): Run | undefined {
      const r = db
        .prepare(`SELECT * FROM runs WHERE task_id = ? AND ${AGENT_RUN} ORDER BY attempt DESC, id DESC LIMIT 1`)
        .get(taskId) as RunRow | undefined;
      return r && toRun(r);
    },
    /** The orchestrator's answers to questions the task's runs asked, oldest first. */
    answersForTask(taskId: string): AnswerRun[] {
      return (
        db
          .prepare(`SELECT * FROM runs WHERE task_id = ? AND role = '${ANSWER_ROLE}' ORDER BY attempt, id`)
          .all(taskId) as RunRow[]
      ).map(toAnswer);
    },
    /** Whether the orchestrator is answering a question run `runId` (of task `taskId`) asked: that run waits for it. */
    answering(taskId: string, runId: string): boolean {
      return (
        db
          .prepare(
            `SELECT 1 FROM runs WHERE task_id = ? AND role = '${ANSWER_ROLE}' AND asked_by = ? AND status IN ('starting', 'running') LIMIT 1`,
          )
          .get(taskId, runId) !== undefined
      );
    },
    /**
     * Runs that claim to be alive, the orchestrator's answers included: the ones to check after a
     * crash (their owner gone, their processes are swept by marker).
     */
    listActive(): (Run | AnswerRun)[] {
      return (
        db.prepare("SELECT * FROM runs WHERE status IN ('starting', 'running') ORDER BY id").all() as RunRow[]
      ).map(toAny);
    },
    /** Whether the Flotilla process `pid` (started at `startedAt`) ever owned a run in this store. */
    ownedBy(pid: number, startedAt: string): boolean {
      return (
        db.prepare("SELECT 1 FROM runs WHERE owner_pid = ? AND owner_started_at = ? LIMIT 1").get(pid, startedAt) !==
        undefined
      );
    },
    patch(id: string, patch: RunPatch): void {
      const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [keyof RunPatch, unknown][];
      if (entries.length === 0) return;
      const sets = entries.map(([k]) => `${COLUMN[k]} = @${k}`).join(", ");
      db.prepare(`UPDATE runs SET ${sets} WHERE id = @id`).run({ id, ...Object.fromEntries(entries) });
    },
    addUsage(id: string, u: { inputTokens: number; outputTokens: number; costUsd?: number }): void {
      db.prepare(
        "UPDATE runs SET input_tokens = input_tokens + ?, output_tokens = output_tokens + ?, cost_usd = cost_usd + ? WHERE id = ?",
      ).run(u.inputTokens, u.outputTokens, u.costUsd ?? 0, id);
    },
  };
}
export type RunsTable = ReturnType<typeof createRunsTable>;
