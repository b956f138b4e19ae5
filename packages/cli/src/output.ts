import type { Task } from "@flotilla/protocol";

/** Writes to the terminal, honouring NO_COLOR and --json (data on stdout, talk on stderr). */
export interface Output {
  readonly json: boolean;
  /** A line for a person (stdout unless --json, then stderr so stdout stays machine-readable). */
  say(line: string): void;
  /** A warning or error line, always on stderr. */
  warn(line: string): void;
  /** A JSON value as one line on stdout. */
  data(value: unknown): void;
  color(name: keyof typeof CODES, text: string): string;
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;

export function createOutput(options: { json: boolean; env?: NodeJS.ProcessEnv; stdout?: NodeJS.WriteStream }): Output {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const useColor =
    !options.json &&
    env.NO_COLOR === undefined &&
    env.FORCE_COLOR !== "0" &&
    (stdout.isTTY || env.FORCE_COLOR !== undefined);
  return {
    json: options.json,
    say(line) {
      (options.json ? process.stderr : stdout).write(line + "\n");
    },
    warn(line) {
      process.stderr.write(line + "\n");
    },
    data(value) {
      stdout.write(JSON.stringify(value) + "\n");
    },
    color(name, text) {
      return useColor ? `\x1b[${CODES[name]}m${text}\x1b[0m` : text;
    },
  };
}

export function statusColor(status: Task["state"]["status"]): keyof typeof CODES {
  switch (status) {
    case "merged":
      return "green";
    case "failed":
    case "conflicted":
      return "red";
    case "cancelled":
    case "interrupted":
    case "needs_input":
    case "awaiting_merge":
      return "yellow";
    case "queued":
      return "gray";
    case "preparing":
    case "running":
    case "verifying":
    case "reviewing":
    case "merging":
      return "cyan";
  }
}

/** One line that says where a task stands and why. */
export function describeState(task: Task): string {
  const s = task.state;
  switch (s.status) {
    case "failed":
      return `failed: ${s.reason}`;
    case "conflicted":
      return `conflicted in ${s.files.join(", ")}`;
    case "needs_input":
      return `needs input: ${s.question}`;
    case "awaiting_merge":
      return s.reason ? `awaiting merge: ${s.reason}` : "awaiting merge";
    case "merged":
      return `merged ${s.commit.slice(0, 10)}`;
    case "interrupted":
      return `interrupted (${s.reason}); run \`flotilla resume\``;
    case "cancelled":
      return s.reason ? `cancelled: ${s.reason}` : "cancelled";
    case "running":
    case "verifying":
    case "reviewing":
    case "queued":
    case "preparing":
    case "merging":
      return s.status;
  }
}

/** The summary shape shared by `run --json` and `demo --json`. */
export function taskSummary(task: Task) {
  const s = task.state;
  return {
    id: task.id,
    title: task.title,
    status: s.status,
    branch: task.branch,
    commit: s.status === "merged" ? s.commit : (task.headCommit ?? null),
    attempts: task.attempts,
    ...(s.status === "failed" || (s.status === "awaiting_merge" && s.reason !== undefined) ? { reason: s.reason } : {}),
    ...(s.status === "conflicted" ? { files: s.files } : {}),
    ...(s.status === "queued" && task.waitingFor !== undefined ? { waitingFor: task.waitingFor } : {}),
  };
}
