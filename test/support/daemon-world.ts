import { join } from "node:path";
import { createStore } from "@flotilla/engine";
import { isolatedEnv, makeRepo, runCli, startCli, tempDir, waitFor } from "./fixtures.js";

/**
 * A real `flotilla serve` (the built CLI) on a free port with --log-requests, over an isolated
 * FLOTILLA_HOME and one registered repo: the world of the CLI-through-the-daemon tests.
 */
export interface DaemonWorld {
  root: ReturnType<typeof tempDir>;
  env: Record<string, string | undefined>;
  repo: string;
  daemon: ReturnType<typeof startCli>;
  daemonPid: number;
  /** What the daemon was asked over HTTP (its --log-requests lines). */
  requests(): string[];
  /**
   * Waits for the daemon's log line of a request. (runCli blocks this process, so the daemon's
   * output is read only once the event loop turns again.)
   */
  sawRequest(line: RegExp): Promise<true>;
  /** The pids of the Flotilla processes that owned a task's runs, in order (read in process). */
  runOwners(taskId: string): (number | undefined)[];
  /** SIGTERM to the daemon (if it still runs), then the temp dir goes. */
  stop(): Promise<void>;
}

export async function startDaemonWorld(prefix: string): Promise<DaemonWorld> {
  const root = tempDir(prefix);
  const env = isolatedEnv(root.path);
  const repo = makeRepo(join(root.path, "repo"));
  const added = runCli(["project", "add", repo], { env });
  if (added.status !== 0) throw new Error(`project add failed: ${added.stderr}`);
  const daemon = startCli(["serve", "--port", "0", "--json", "--log-requests"], { env });
  const info = await waitFor("the daemon", () => {
    const line = daemon.output().stdout.split("\n")[0];
    return line ? (JSON.parse(line) as { url: string; pid: number }) : undefined;
  });
  const requests = () =>
    daemon
      .output()
      .stderr.split("\n")
      .filter((l) => /^(GET|POST|PUT|DELETE) /.test(l));
  return {
    root,
    env,
    repo,
    daemon,
    daemonPid: info.pid,
    requests,
    sawRequest: (line) =>
      waitFor(`the daemon to log ${line}`, () => requests().some((l) => line.test(l)) || undefined, 5000),
    // From the store itself, beside the daemon: a CLI run here (spawnSync) would stall this
    // process's event loop, and the client's kept-alive sockets with it.
    runOwners: (taskId) => {
      const store = createStore(join(env.FLOTILLA_HOME!, "flotilla.db"));
      try {
        return store.read.runs.listForTask(taskId).map((r) => r.ownerPid);
      } finally {
        store.close();
      }
    },
    async stop() {
      if (daemon.child.exitCode === null) {
        daemon.child.kill("SIGTERM");
        await daemon.exited;
      }
      root.cleanup();
    },
  };
}
