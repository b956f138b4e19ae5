import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareReady, createTicketQueue, orderReady, type QueueItem } from "./ticket-queue.js";

const item = (id: string, priority: number, queuedAt: number | string): QueueItem => ({ id, priority, queuedAt });

describe("ticket queue", () => {
  it("orders by priority (high first), then age (oldest first), then id", () => {
    const q = createTicketQueue([
      item("c", 0, 3),
      item("a", 0, 3),
      item("old", 0, 1),
      item("urgent", 5, 9),
      item("low", -1, 0),
    ]);
    expect(q.toArray().map((x) => x.id)).toEqual(["urgent", "old", "a", "c", "low"]);
    expect(q.peek()?.id).toBe("urgent");
    expect([q.pop(), q.pop(), q.pop(), q.pop(), q.pop(), q.pop()].map((x) => x?.id)).toEqual([
      "urgent",
      "old",
      "a",
      "c",
      "low",
      undefined,
    ]);
  });

  it("compares ISO times by age and replaces an item pushed again", () => {
    const q = createTicketQueue<QueueItem>();
    q.push(item("x", 0, "2026-01-02T00:00:00.000Z"));
    q.push(item("y", 0, "2026-01-01T00:00:00.000Z"));
    expect(q.peek()?.id).toBe("y");
    q.push(item("x", 1, "2026-01-02T00:00:00.000Z"));
    expect(q.size).toBe(2);
    expect(q.peek()?.id).toBe("x");
    expect(q.has("y")).toBe(true);
    expect(q.remove("y")).toBe(true);
    expect(q.remove("y")).toBe(false);
    expect(q.toArray().map((i) => i.id)).toEqual(["x"]);
  });

  it("pops exactly the sorted order, whatever the pushes and removals", () => {
    const items = fc.uniqueArray(
      fc.record({
        id: fc.string({ minLength: 1, maxLength: 4 }),
        priority: fc.integer({ min: -3, max: 3 }),
        queuedAt: fc.nat(20),
      }),
      { selector: (i) => i.id, maxLength: 60 },
    );
    fc.assert(
      fc.property(items, fc.array(fc.nat()), (all, removals) => {
        const q = createTicketQueue(all);
        const removed = new Set<string>();
        for (const r of removals) {
          const victim = all[r % Math.max(1, all.length)];
          if (victim && q.remove(victim.id)) removed.add(victim.id);
        }
        const popped: QueueItem[] = [];
        for (let x = q.pop(); x; x = q.pop()) popped.push(x);
        expect(popped).toEqual(orderReady(all.filter((i) => !removed.has(i.id))));
        for (let i = 1; i < popped.length; i++) expect(compareReady(popped[i - 1]!, popped[i]!)).toBeLessThan(0);
      }),
    );
  });
});
