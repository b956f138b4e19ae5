import { mkdtempSync, rmSync, writeFileSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Ticket } from "./ticket-schema.js";
import { isTicketFile, watchBacklog, type BacklogWatcher } from "./watch-backlog.js";

let dir: string;
let watcher: BacklogWatcher | undefined;
let tickets: { id: string; prompt: string; file: string }[];
let errors: { file: string; message: string }[];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function start(options: { events?: boolean; rescanMs?: number } = {}): BacklogWatcher {
  watcher = watchBacklog(dir, {
    stabilityMs: 60,
    rescanMs: options.rescanMs ?? 60_000,
    ...(options.events !== undefined ? { events: options.events } : {}),
    onTicket: (t: Ticket, file) => void tickets.push({ id: t.id, prompt: t.prompt, file }),
    onError: (file, error) =>
      void errors.push({ file, message: error instanceof Error ? error.message : String(error) }),
  });
  return watcher;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "flotilla-backlog-"));
  tickets = [];
  errors = [];
});
afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe("watchBacklog", () => {
  it("delivers a new ticket once, and again only when its content changes", async () => {
    await start().ready;
    const file = join(dir, "avatar.yaml");
    writeFileSync(file, "id: avatar\nprompt: add an avatar\npriority: 2\n");
    await until("the first delivery", () => tickets.length === 1);
    expect(tickets[0]).toEqual({ id: "avatar", prompt: "add an avatar", file });

    await watcher!.rescan();
    writeFileSync(file, "id: avatar\nprompt: add an avatar\npriority: 2\n"); // same content, new mtime
    await sleep(300);
    await watcher!.rescan();
    expect(tickets).toHaveLength(1);

    writeFileSync(file, "id: avatar\nprompt: add a round avatar\n");
    await until("the second delivery", () => tickets.length === 2);
    expect(tickets[1]?.prompt).toBe("add a round avatar");
    await sleep(200);
    await watcher!.rescan();
    expect(tickets).toHaveLength(2);
    expect(errors).toEqual([]);
  });

  it("reports a half-written file once, then delivers it exactly once when complete", async () => {
    await start({ rescanMs: 50 }).ready;
    const file = join(dir, "half.yaml");
    writeFileSync(file, 'id: half\nprompt: "add the');
    await until("the error", () => errors.length === 1);
    expect(errors[0]?.file).toBe(file);
    expect(errors[0]?.message).toMatch(/half\.yaml:2:\d+/);
    await sleep(250); // several rescans of the same broken content: still one error
    expect(errors).toHaveLength(1);
    expect(tickets).toEqual([]);

    writeFileSync(file, 'id: half\nprompt: "add the feature"\n');
    await until("the delivery", () => tickets.length === 1);
    await sleep(250);
    expect(tickets.map((t) => t.id)).toEqual(["half"]);
    expect(errors).toHaveLength(1);
  });

  it("reports schema problems with line and column and keeps watching", async () => {
    await start().ready;
    writeFileSync(join(dir, "bad.yaml"), "id: bad\nprompt: x\npriority: high\nagent: a\nrole: coder\n");
    await until("the error", () => errors.length === 1);
    expect(errors[0]?.message).toMatch(/bad\.yaml:3:11: priority: /);
    writeFileSync(join(dir, "good.yml"), "id: good\nprompt: fine\n");
    await until("the good ticket", () => tickets.length === 1);
    writeFileSync(join(dir, "both.yaml"), "id: both\nprompt: x\nagent: a\nrole: coder\n");
    await until("the second error", () => errors.length === 2);
    expect(errors[1]?.message).toMatch(/both\.yaml:4:1: .*either agent or role/);
  });

  it("delivers files that exist at start and ignores what is not a ticket", async () => {
    writeFileSync(join(dir, "one.yaml"), "id: one\nprompt: first\n");
    writeFileSync(join(dir, "notes.txt"), "not a ticket");
    writeFileSync(join(dir, ".hidden.yaml"), "id: hidden\nprompt: no\n");
    await sleep(100);
    await start().ready;
    expect(tickets.map((t) => t.id)).toEqual(["one"]);
    expect(isTicketFile("x.json")).toBe(true);
    expect(isTicketFile("x.yaml~")).toBe(false);
  });

  it("finds a file by the rescan alone when no file events come", async () => {
    await start({ events: false, rescanMs: 40 }).ready;
    writeFileSync(join(dir, "quiet.yaml"), "id: quiet\nprompt: found by the rescan\n");
    await until("the rescan to find it", () => tickets.length === 1);
    expect(tickets[0]?.id).toBe("quiet");
  });

  it("delivers a deleted then re-created ticket again, and nothing after close", async () => {
    await start({ rescanMs: 40 }).ready;
    const file = join(dir, "again.yaml");
    writeFileSync(file, "id: again\nprompt: p\n");
    await until("the delivery", () => tickets.length === 1);
    unlinkSync(file);
    await sleep(150);
    writeFileSync(file, "id: again\nprompt: p\n");
    await until("the second delivery", () => tickets.length === 2);

    await watcher!.close();
    writeFileSync(join(dir, "late.yaml"), "id: late\nprompt: too late\n");
    await sleep(300);
    expect(tickets).toHaveLength(2);
  });

  it("survives an onTicket that throws: the error is reported, the watcher goes on", async () => {
    let calls = 0;
    watcher = watchBacklog(dir, {
      stabilityMs: 60,
      rescanMs: 50,
      onTicket: () => {
        calls++;
        throw new Error("consumer broke");
      },
      onError: (file, error) => void errors.push({ file, message: String(error) }),
    });
    await watcher.ready;
    writeFileSync(join(dir, "a.yaml"), "id: a\nprompt: p\n");
    writeFileSync(join(dir, "b.yaml"), "id: b\nprompt: p\n");
    await until("both", () => calls === 2);
    await sleep(200);
    expect(calls).toBe(2);
    expect(errors.map((e) => e.message)).toEqual(["Error: consumer broke", "Error: consumer broke"]);
  });
});
