import type { EventPayload, FlotillaEvent } from "@flotilla/protocol";
import { createCiTable } from "./ci-table.js";
import { openDatabase } from "./database.js";
import { createEventsTable } from "./events-table.js";
import { createLeasesTable } from "./leases-table.js";
import { createMergeBatchesTable } from "./merge-batches-table.js";
import { createMetaTable } from "./meta-table.js";
import { createPlansTable } from "./plans-table.js";
import { createPoolTable } from "./pool-table.js";
import { createProjectsTable } from "./projects-table.js";
import { createRunsTable } from "./runs-table.js";
import { createSecretsTable } from "./secrets-table.js";
import { createTasksTable } from "./tasks-table.js";

export interface Tables {
  projects: ReturnType<typeof createProjectsTable>;
  tasks: ReturnType<typeof createTasksTable>;
  runs: ReturnType<typeof createRunsTable>;
  events: ReturnType<typeof createEventsTable>;
  ci: ReturnType<typeof createCiTable>;
  meta: ReturnType<typeof createMetaTable>;
  mergeBatches: ReturnType<typeof createMergeBatchesTable>;
  plans: ReturnType<typeof createPlansTable>;
  leases: ReturnType<typeof createLeasesTable>;
  pool: ReturnType<typeof createPoolTable>;
  secrets: ReturnType<typeof createSecretsTable>;
}

/** What a write sees: the tables, and `emit` to announce the change in the same transaction. */
export interface WriteContext extends Tables {
  now: string;
  emit(payload: EventPayload): void;
}

export type EventListener = (event: FlotillaEvent) => void;

export interface Store {
  readonly file: string;
  /** Reads. Writes go through `write`, so that every change is announced. */
  readonly read: Tables;
  /**
   * Runs `fn` in ONE immediate transaction; the events it emits are stored in that transaction,
   * and listeners hear them only after it commits. Returns what `fn` returns.
   */
  write<T>(fn: (ctx: WriteContext) => T): T;
  subscribe(listener: EventListener): () => void;
  close(): void;
}

export function createStore(file: string, clock: () => Date = () => new Date()): Store {
  const db = openDatabase(file);
  const tables: Tables = {
    projects: createProjectsTable(db),
    tasks: createTasksTable(db),
    runs: createRunsTable(db),
    events: createEventsTable(db),
    ci: createCiTable(db),
    meta: createMetaTable(db),
    mergeBatches: createMergeBatchesTable(db),
    plans: createPlansTable(db),
    leases: createLeasesTable(db),
    pool: createPoolTable(db),
    secrets: createSecretsTable(db),
  };
  const listeners = new Set<EventListener>();
  let depth = 0;
  let pending: FlotillaEvent[] = [];

  function write<T>(fn: (ctx: WriteContext) => T): T {
    if (depth > 0) throw new Error("store.write is not re-entrant: do the whole change in one write");
    const now = clock().toISOString();
    const emitted: FlotillaEvent[] = [];
    const ctx: WriteContext = {
      ...tables,
      now,
      emit: (payload) => {
        emitted.push(tables.events.append(payload, now));
      },
    };
    depth++;
    let result: T;
    try {
      result = db.transaction(() => fn(ctx)).immediate();
    } finally {
      depth--;
    }
    pending = emitted;
    notify();
    return result;
  }

  function notify(): void {
    const batch = pending;
    pending = [];
    for (const event of batch) {
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (err) {
          // A listener's bug must not undo a committed change or starve the others.
          process.emitWarning(`event listener failed on ${event.payload.type}: ${String(err)}`);
        }
      }
    }
  }

  return {
    file,
    read: tables,
    write,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      listeners.clear();
      db.close();
    },
  };
}
