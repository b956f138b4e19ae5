import { startProcess, type ExitResult } from "./spawn.js";

export interface CommandResult extends ExitResult {
  /** The output, capped to the last `maxOutputBytes` (the tail is what explains a failure). */
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved by line, capped likewise: what a person reads in a log. */
  combined: string;
  timedOut: boolean;
  durationMs: number;
}

export interface RunCommandOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  timeoutMs?: number;
  maxOutputBytes?: number;
  marker?: string;
  /** Stops the command (the whole stop ladder) when aborted. */
  signal?: AbortSignal;
  onLine?: (stream: "stdout" | "stderr", line: string) => void;
}

/** Runs a command to completion (argv, no shell) and captures its output, capped in memory. */
export async function runCommand(
  command: string,
  args: readonly string[],
  options: RunCommandOptions,
): Promise<CommandResult> {
  const cap = options.maxOutputBytes ?? 1024 * 1024;
  const out = createTailBuffer(cap);
  const err = createTailBuffer(cap);
  const both = createTailBuffer(cap);
  const started = Date.now();
  const handle = startProcess({
    command,
    args,
    cwd: options.cwd,
    env: options.env,
    ...(options.marker !== undefined ? { marker: options.marker } : {}),
    onStdoutLine: (l) => {
      out.add(l);
      both.add(l);
      options.onLine?.("stdout", l);
    },
    onStderrLine: (l) => {
      err.add(l);
      both.add(l);
      options.onLine?.("stderr", l);
    },
  });
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  if (options.timeoutMs !== undefined) {
    timer = setTimeout(() => {
      timedOut = true;
      void handle.stop(2000);
    }, options.timeoutMs);
  }
  const onAbort = () => void handle.stop(2000);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const result = await handle.exited;
  options.signal?.removeEventListener("abort", onAbort);
  if (timer) clearTimeout(timer);
  return {
    ...result,
    stdout: out.text(),
    stderr: err.text(),
    combined: both.text(),
    timedOut,
    durationMs: Date.now() - started,
  };
}

function createTailBuffer(maxBytes: number) {
  const lines: string[] = [];
  let size = 0;
  let dropped = false;
  return {
    add(line: string) {
      lines.push(line);
      size += line.length + 1;
      while (size > maxBytes && lines.length > 1) {
        size -= (lines.shift() ?? "").length + 1;
        dropped = true;
      }
    },
    text(): string {
      const body = lines.join("\n");
      return dropped ? `…[earlier output cut]\n${body}` : body;
    },
  };
}
