import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emptyViewState, initialViewState, reduceAll, type ViewState } from "@flotilla/client";
import { action, simulate } from "./server-reducer-world.js";

/** The view reducer's properties over random event histories from a model of the store. */
const withoutOutput = ({ output: _o, ...rest }: ViewState) => rest;
const history = fc.tuple(fc.array(action, { maxLength: 80 }), fc.array(fc.nat({ max: 2 }), { maxLength: 5 }));

describe("reduce: properties over random event histories", () => {
  it("applying the same events twice gives the same state", () => {
    fc.assert(
      fc.property(history, ([actions, gaps]) => {
        const { events } = simulate(actions, gaps);
        const once = reduceAll(emptyViewState(), events);
        expect(reduceAll(once, events)).toEqual(once);
      }),
    );
  });

  it("overlapping replays (reconnects that resend) give the same state", () => {
    fc.assert(
      fc.property(history, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }), ([actions, gaps], cuts) => {
        const { events } = simulate(actions, gaps);
        let s = emptyViewState();
        let delivered = 0;
        for (const [back, len] of cuts) {
          const from = Math.max(0, delivered - (back % 5));
          const to = Math.min(events.length, from + (len % 20));
          s = reduceAll(s, events.slice(from, to));
          delivered = Math.max(delivered, to);
        }
        s = reduceAll(s, events.slice(Math.max(0, delivered - 3)));
        expect(s).toEqual(reduceAll(emptyViewState(), events));
      }),
    );
  });

  it("a snapshot at any seq, then the replay of every event, gives the same state", () => {
    fc.assert(
      fc.property(history, fc.nat(), ([actions, gaps], pick) => {
        const { events, snapshots } = simulate(actions, gaps);
        const snapshot = snapshots[pick % snapshots.length]!;
        const fromStart = reduceAll(emptyViewState(), events);
        const fromSnapshot = reduceAll(initialViewState(snapshot), events);
        expect(withoutOutput(fromSnapshot)).toEqual(withoutOutput(fromStart));
        // Output before the snapshot is not in it: what the view has is the newest part.
        for (const [taskId, lines] of Object.entries(fromSnapshot.output)) {
          const all = fromStart.output[taskId] ?? [];
          expect(all.slice(all.length - lines.length)).toEqual(lines);
        }
      }),
    );
  });
});
