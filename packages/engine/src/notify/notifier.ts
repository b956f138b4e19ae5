import { tmpdir } from "node:os";
import type { Config, FlotillaEvent, NotifyEvent, Project } from "@flotilla/protocol";
import { findBinary } from "../doctor/find-binary.js";
import { runCommand } from "../process/index.js";
import type { Store } from "../store/index.js";
import { payloadEnv, payloadFor, type NotifyPayload } from "./payload.js";
import { deliverWebhook } from "./webhook.js";

export interface NotifierOptions {
  store: Store;
  configFor(project: Project): Config;
  /** The environment commands start from (and where notify-send is looked up on PATH). */
  env: Record<string, string | undefined>;
  /** Where a failed delivery is reported (never with a secret). Default: stderr. */
  onError?: (message: string) => void;
}

export interface Notifier {
  /** Subscribes to the store's events. */
  start(): void;
  /** Unsubscribes; deliveries already started go on. */
  stop(): void;
  /** Resolves when every delivery started so far has finished (succeeded or given up). */
  idle(): Promise<void>;
}

/**
 * Notifications (seed 003): when a task is merged, fails or needs input, a desktop notification
 * (notify-send, if on PATH), webhooks and commands, each for the events its config lists. Every
 * delivery runs in the background: a slow or dead receiver never holds up the pipeline.
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const inFlight = new Set<Promise<void>>();
  const onError = options.onError ?? ((m: string) => void process.stderr.write(`flotilla: notification: ${m}\n`));
  let unsubscribe: (() => void) | undefined;

  const track = (what: Promise<unknown>): void => {
    const p = what.then(
      () => undefined,
      (err: unknown) => onError(err instanceof Error ? err.message : String(err)),
    );
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };

  const handle = (event: FlotillaEvent): void => {
    if (event.payload.type !== "task.status-changed") return;
    const task = options.store.read.tasks.get(event.payload.taskId);
    const payload = payloadFor(event, task);
    if (!payload || !task) return;
    const project = options.store.read.projects.get(task.projectId);
    if (!project) return;
    const config = options.configFor(project).notifications;
    if (wants(config.desktop, payload.event)) track(desktop(options.env, payload));
    const body = JSON.stringify(payload);
    for (const hook of config.webhooks) if (hook.events.includes(payload.event)) track(deliverWebhook(hook, body));
    for (const command of config.commands) {
      if (!command.events.includes(payload.event)) continue;
      const [bin, ...args] = command.argv;
      if (bin === undefined) continue;
      track(
        runCommand(bin, args, {
          cwd: project.path,
          env: { ...options.env, ...payloadEnv(payload) },
          timeoutMs: command.timeoutMs,
        }).then((r) => {
          if (r.code !== 0)
            throw new Error(`command ${bin} exited ${r.timedOut ? "(timed out)" : (r.code ?? r.signal ?? "")}`);
        }),
      );
    }
  };

  return {
    start() {
      unsubscribe ??= options.store.subscribe(handle);
    },
    stop() {
      unsubscribe?.();
      unsubscribe = undefined;
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

function wants(desktop: boolean | NotifyEvent[], event: NotifyEvent): boolean {
  return desktop === true || (Array.isArray(desktop) && desktop.includes(event));
}

/** notify-send when it is on PATH (Linux desktops); otherwise nothing, silently. */
async function desktop(env: Record<string, string | undefined>, payload: NotifyPayload): Promise<void> {
  const bin = findBinary("notify-send", env);
  if (bin === undefined) return;
  const urgency = payload.event === "merged" ? "normal" : "critical";
  await runCommand(
    bin,
    ["--app-name=Flotilla", `--urgency=${urgency}`, `Flotilla: ${payload.event}`, payload.summary],
    {
      cwd: tmpdir(),
      env: env,
      timeoutMs: 5000,
    },
  );
}
