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
}

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
  return {
    insert(r: Omit<Run, "role">, role: Run["role"] = "coder"): void {
      db.prepare(
        `INSERT INTO runs (id, task_id, attempt, agent, status, session_id, owner_pid, owner_started_at, agent_pid, marker,
           input_tokens, output_tokens, cost_usd, started_at, role)
         VALUES (@id, @taskId, @attempt, @agent, @status, @sessionId, @ownerPid, @ownerStartedAt, @agentPid, @marker,
           @inputTokens, @outputTokens, @costUsd, @startedAt, @role)`,
      ).run({
        ...r,
        role,
        sessionId: r.sessionId ?? null,
        ownerPid: r.ownerPid ?? null,
        ownerStartedAt: r.ownerStartedAt ?? null,
        agentPid: r.agentPid ?? null,
      });
    },
    get(id: string): Run | undefined {
      const r = db.prepare("SELECT * FROM runs WHERE id = ?").get(id) as RunRow | undefined;
      return r && toRun(r);
    },
    listForTask(taskId: string): Run[] {
      return (db.prepare("SELECT * FROM runs WHERE task_id = ? ORDER BY attempt, id").all(taskId) as RunRow[]).map(
        toRun,
      );
    },
    latestForTask(taskId: string): Run | undefined {
      const r = db
        .prepare("SELECT * FROM runs WHERE task_id = ? ORDER BY attempt DESC, id DESC LIMIT 1")
        .get(taskId) as RunRow | undefined;
      return r && toRun(r);
    },
    /** Runs that claim to be alive: the ones to check after a crash. */
    listActive(): Run[] {
      return (
        db.prepare("SELECT * FROM runs WHERE status IN ('starting', 'running') ORDER BY id").all() as RunRow[]
      ).map(toRun);
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
