import { mkdirSync, readdirSync, statSync } from "node:fs";
import { basename, extname, join, resolve } from "node:path";
import { watch, type FSWatcher } from "chokidar";
import { createBacklogTracker, type BacklogHandlers } from "./backlog-tracker.js";

export interface WatchBacklogOptions extends BacklogHandlers {
  /** How often the folder is rescanned, in case file events are late or lost; default 5000 ms. */
  rescanMs?: number;
  /** A file is read once its size has not changed for this long (chokidar's awaitWriteFinish); default 300 ms. */
  stabilityMs?: number;
  /** Use file events (chokidar); false rescans only (slow or unreliable file systems, tests). Default true. */
  events?: boolean;
}

export interface BacklogWatcher {
  /** Settles when the first scan is done and file events are being watched. */
  readonly ready: Promise<void>;
  /** Checks the folder now (the periodic rescan, on demand). */
  rescan(): Promise<void>;
  /** Stops watching; once it settles nothing more is delivered. */
  close(): Promise<void>;
}

const TICKET_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** A ticket file: YAML or JSON, not hidden, not an editor's backup or swap file. */
export function isTicketFile(file: string): boolean {
  const name = basename(file);
  return !name.startsWith(".") && !name.endsWith("~") && TICKET_EXTENSIONS.has(extname(name).toLowerCase());
}

/**
 * Watches a backlog folder (seed 001): every ticket file in it (not in subfolders) that is new
 * or changed is read once it is fully written, validated, and handed to `onTicket`; an invalid
 * or half-written one goes to `onError` and is read again when it changes. File events come
 * from chokidar, and a periodic rescan catches whatever events missed. Nothing a file holds
 * can stop the watcher. Existing files are delivered at start.
 */
export function watchBacklog(dir: string, options: WatchBacklogOptions): BacklogWatcher {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const stabilityMs = options.stabilityMs ?? 300;
  const tracker = createBacklogTracker(options);
  let closed = false;
  let chain: Promise<void> = Promise.resolve();
  let rescanQueued: Promise<void> | undefined;

  // One file at a time, in order, so a slow onTicket never overlaps another check.
  const enqueue = (work: () => Promise<void> | void): Promise<void> => {
    chain = chain.then(async () => {
      if (!closed) await work();
    });
    chain = chain.catch((err: unknown) => report(root, err));
    return chain;
  };
  const report = (file: string, err: unknown) => {
    try {
      options.onError(file, err);
    } catch (e) {
      process.emitWarning(`backlog onError handler failed: ${String(e)}`);
    }
  };

  function rescan(): Promise<void> {
    rescanQueued ??= enqueue(async () => {
      rescanQueued = undefined;
      const present = new Set<string>();
      for (const file of listTicketFiles(root)) {
        present.add(file);
        // A file written moments ago may still be growing; the next event or rescan gets it.
        if (Date.now() - modifiedAt(file) < stabilityMs) continue;
        if (closed) return;
        await tracker.check(file);
      }
      for (const file of tracker.known()) if (!present.has(file)) tracker.forget(file);
    });
    return rescanQueued;
  }

  let watcher: FSWatcher | undefined;
  let watching: Promise<void> = Promise.resolve();
  if (options.events !== false) {
    watcher = watch(root, {
      ignoreInitial: true,
      depth: 0,
      awaitWriteFinish: { stabilityThreshold: stabilityMs, pollInterval: Math.max(10, Math.min(100, stabilityMs / 4)) },
    });
    const onFile = (file: string) => {
      if (isTicketFile(file)) void enqueue(() => tracker.check(resolve(file)));
    };
    watcher.on("add", onFile).on("change", onFile);
    watcher.on("unlink", (file: string) => void enqueue(() => tracker.forget(resolve(file))));
    watcher.on("error", (err: unknown) => report(root, err));
    const w = watcher;
    watching = new Promise<void>((done) => w.once("ready", () => done()));
  }

  const timer = setInterval(() => void rescan(), Math.max(10, options.rescanMs ?? 5000));
  const ready = Promise.all([watching, rescan()]).then(() => undefined);

  return {
    ready,
    rescan,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await watcher?.close();
      await chain;
    },
  };
}

function listTicketFiles(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && isTicketFile(e.name))
      .map((e) => join(dir, e.name))
      .sort();
  } catch {
    return [];
  }
}

function modifiedAt(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
