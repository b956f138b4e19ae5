import { FlotillaError, type CiStatus } from "@flotilla/protocol";
import type { Db } from "./database.js";
import { orUndefined } from "./json-column.js";

interface CiRow {
  commit_sha: string;
  status: "pass" | "fail";
  command_json: string;
  exit_code: number | null;
  output: string;
  duration_ms: number;
  task_id: string | null;
  at: string;
}

const toCi = (r: CiRow): CiStatus => {
  const taskId = orUndefined(r.task_id);
  return {
    commit: r.commit_sha,
    status: r.status,
    command: JSON.parse(r.command_json) as string[],
    exitCode: r.exit_code,
    output: r.output,
    durationMs: r.duration_ms,
    ...(taskId !== undefined ? { taskId } : {}),
    at: r.at,
  };
};

/** PASS/FAIL per commit hash (seed 001's ci-status). */
export function createCiTable(db: Db) {
  return {
    put(s: CiStatus): void {
      db.prepare(
        `INSERT INTO ci_status (commit_sha, status, command_json, exit_code, output, duration_ms, task_id, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(commit_sha) DO UPDATE SET status = excluded.status, command_json = excluded.command_json,
           exit_code = excluded.exit_code, output = excluded.output, duration_ms = excluded.duration_ms,
           task_id = excluded.task_id, at = excluded.at`,
      ).run(s.commit, s.status, JSON.stringify(s.command), s.exitCode, s.output, s.durationMs, s.taskId ?? null, s.at);
    },
    /** By full hash or an unambiguous prefix of at least 4 hex digits. */
    find(hashOrPrefix: string): CiStatus | undefined {
      if (!/^[0-9a-f]{4,64}$/i.test(hashOrPrefix)) {
        throw new FlotillaError("invalid_input", `not a commit hash: "${hashOrPrefix}" (4 to 64 hex digits)`);
      }
      const rows = db
        .prepare("SELECT * FROM ci_status WHERE commit_sha LIKE ? ORDER BY at DESC LIMIT 2")
        .all(`${hashOrPrefix.toLowerCase()}%`) as CiRow[];
      if (rows.length > 1) throw new FlotillaError("invalid_input", `commit prefix "${hashOrPrefix}" is ambiguous`);
      return rows[0] && toCi(rows[0]);
    },
    list(limit = 50): CiStatus[] {
      return (db.prepare("SELECT * FROM ci_status ORDER BY at DESC LIMIT ?").all(limit) as CiRow[]).map(toCi);
    },
  };
}
export type CiTable = ReturnType<typeof createCiTable>;
