import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createStore, type Store } from "@flotilla/engine";
import { startEventFeed } from "./event-feed.js";

const until = async (what: string, probe: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("the event feed: everything after a seq, once, in order", () => {
  let dir: string;
  let store: Store;
  const emit = (s: Store, n = 1) =>
    s.write((ctx) => {
      for (let i = 0; i < n; i++) ctx.emit({ type: "project.removed", projectId: "p" });
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flotilla-feed-"));
    store = createStore(join(dir, "db.sqlite"));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("replays the log after `after`, then goes live", async () => {
    emit(store, 5);
    const got: number[] = [];
    const feed = startEventFeed({ store, after: 2, send: (e) => void got.push(e.seq) });
    emit(store, 3);
    await until("8 events", () => got.length === 6);
    expect(got).toEqual([3, 4, 5, 6, 7, 8]);
    feed.close();
    await feed.done;
    emit(store);
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual([3, 4, 5, 6, 7, 8]);
  });

  it("picks up what another process commits, in seq order with the local events", async () => {
    const other = createStore(store.file);
    try {
      const got: number[] = [];
      const feed = startEventFeed({ store, after: 0, pollMs: 20, send: (e) => void got.push(e.seq) });
      emit(store);
      emit(other, 2); // not heard: only the poll finds these
      emit(store); // heard, but after a hole: read from the log
      emit(other);
      await until("5 events", () => got.length === 5);
      expect(got).toEqual([1, 2, 3, 4, 5]);
      feed.close();
      await feed.done;
    } finally {
      other.close();
    }
  });

  it("a slow receiver still gets every event once while more arrive", async () => {
    const got: number[] = [];
    const feed = startEventFeed({
      store,
      after: 0,
      pageSize: 7,
      send: async (e) => {
        await new Promise((r) => setTimeout(r, 1));
        got.push(e.seq);
      },
    });
    for (let i = 0; i < 40; i++) {
      emit(store, 1 + (i % 3));
      if (i % 5 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    const total = store.read.events.latestSeq();
    await until("all events", () => got.length >= total);
    expect(got).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    feed.close();
    await feed.done;
  });

  it("ends when send throws (the client went away)", async () => {
    emit(store, 2);
    const feed = startEventFeed({
      store,
      after: 0,
      send: () => {
        throw new Error("gone");
      },
    });
    await expect(feed.done).rejects.toThrow("gone");
    expect(feed.lastSent).toBe(0);
  });
});
