import { render } from "ink";
import type { FlotillaClient } from "@flotilla/client";
import { App } from "./app.js";

export interface RunTuiOptions {
  client: FlotillaClient;
  /** Show this project first (id, name or path). */
  project?: string;
  /** Shown in the header: where the data comes from. */
  source?: string;
  throttleMs?: number;
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

/**
 * Runs the TUI until `q` or Ctrl-C; resolves once it has unmounted (the caller then closes the
 * client's engine or connection).
 */
export async function runTui(options: RunTuiOptions): Promise<void> {
  const instance = render(
    <App
      client={options.client}
      {...(options.project !== undefined ? { project: options.project } : {})}
      {...(options.source !== undefined ? { source: options.source } : {})}
      {...(options.throttleMs !== undefined ? { throttleMs: options.throttleMs } : {})}
    />,
    {
      exitOnCtrlC: true,
      patchConsole: true,
      maxFps: 10,
      ...(options.stdin ? { stdin: options.stdin } : {}),
      ...(options.stdout ? { stdout: options.stdout } : {}),
    },
  );
  await instance.waitUntilExit();
}
