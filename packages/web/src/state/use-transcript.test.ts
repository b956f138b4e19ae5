import { describe, expect, it } from "vitest";
import type { Transcript } from "@flotilla/client";
import type { FlotillaEvent } from "@flotilla/protocol";
import { foldPending } from "./use-transcript.js";

const at = "2025-01-01T00:00:00Z";
const said = (seq: number, taskId: string, text: string): FlotillaEvent => ({
  seq,
  at,
  payload: { type: "run.agent-event", taskId, runId: "r1", event: { type: "message", text } },
});

describe("the live transcript", () => {
  it("applies events that arrived while it loaded, once, and only its task's", () => {
    const fetched: Transcript = {
      taskId: "t1",
      lastSeq: 5,
      entries: [{ kind: "agent", seq: 5, at, runId: "r1", text: "already there" }],
    };
    const t = foldPending(fetched, [
      said(4, "t1", "old"),
      said(5, "t1", "dup"),
      said(6, "t2", "other"),
      said(7, "t1", "new"),
    ]);
    expect(t.entries.map((e) => (e.kind === "agent" ? e.text : e.kind))).toEqual(["already there", "new"]);
    expect(t.lastSeq).toBe(7);
  });
});
