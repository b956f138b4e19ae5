import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render } from "ink-testing-library";
import { App } from "./app.js";
import { createBatcher } from "./throttle.js";
import { fakeClient, outputEvent, task } from "./test-support.js";

const size = { columns: 100, rows: 40 };
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

async function until(frame: () => string | undefined, test: (s: string) => boolean, timeoutMs = 3000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = frame() ?? "";
    if (test(s)) return s;
    if (Date.now() > deadline) throw new Error(`timed out; last frame:\n${s}`);
    await tick();
  }
}

const selectedLine = (s: string) => s.split("\n").find((l) => l.includes("›")) ?? "";

function tasks() {
  return [
    task("alpha", { status: "running", runId: "r1" }),
    task("beta", { status: "running", runId: "r2" }),
    task("gamma", { status: "queued" }, { waitingFor: "waits for alpha" }),
    task("delta", { status: "merged", commit: "abc" }),
  ];
}

afterEach(() => cleanup());

describe("the App on a fake client", () => {
  it("loads a snapshot, then subscribes from its seq", async () => {
    const fake = fakeClient(tasks());
    const r = render(<App client={fake.client} size={size} throttleMs={10} />);
    expect(r.lastFrame()).toContain("loading");
    const s = await until(r.lastFrame, (x) => x.includes("Tasks (4)"));
    expect(s).toMatch(/✓ 1 done · ● 2 running · ○ 1 waiting · ✗ 0 failed/);
    expect(fake.calls).toContain("events since 10");
  });

  it("j/k and g/G move the selection, enter opens the detail, esc goes back", async () => {
    const fake = fakeClient(tasks());
    const r = render(<App client={fake.client} size={size} throttleMs={10} />);
    await until(r.lastFrame, (x) => /● running alpha/.test(selectedLine(x)));
    r.stdin.write("j");
    await until(r.lastFrame, (x) => /● running beta/.test(selectedLine(x)));
    r.stdin.write("G");
    await until(r.lastFrame, (x) => /✓ merged delta/.test(selectedLine(x)));
    r.stdin.write("k");
    await until(r.lastFrame, (x) => /○ queued gamma/.test(selectedLine(x)));
    r.stdin.write("g");
    await until(r.lastFrame, (x) => /● running alpha/.test(selectedLine(x)));
    r.stdin.write("\r");
    await until(r.lastFrame, (x) => x.includes("Task alpha (esc back)"));
    r.stdin.write("\u001B");
    await until(r.lastFrame, (x) => x.includes("Merge queue") && !x.includes("esc back)"));
  });

  it("a aborts the selected task through the client and says so", async () => {
    const fake = fakeClient(tasks());
    const r = render(<App client={fake.client} size={size} throttleMs={10} />);
    await until(r.lastFrame, (x) => /● running alpha/.test(selectedLine(x)));
    r.stdin.write("j");
    await until(r.lastFrame, (x) => /● running beta/.test(selectedLine(x)));
    r.stdin.write("a");
    await until(r.lastFrame, (x) => x.includes("aborted task beta (cancelled)"));
    expect(fake.calls).toContain("abort beta");
    expect(fake.calls).not.toContain("abort alpha");
  });

  it("shows a client error in the status line", async () => {
    const fake = fakeClient(tasks());
    fake.client.retryTask = () => Promise.reject(new Error("task alpha is running; only failed tasks can be retried"));
    const r = render(<App client={fake.client} size={size} throttleMs={10} />);
    await until(r.lastFrame, (x) => x.includes("Tasks (4)"));
    r.stdin.write("r");
    await until(r.lastFrame, (x) => x.includes("✗ retry alpha: task alpha is running"));
  });

  it("tab moves the focus between panes; , shows the merged config", async () => {
    const fake = fakeClient(tasks());
    const r = render(<App client={fake.client} size={size} throttleMs={10} />);
    await until(r.lastFrame, (x) => x.includes("Tasks (4)"));
    r.stdin.write("\t");
    await tick(50);
    r.stdin.write("\t");
    await tick(50);
    r.stdin.write("a"); // the (empty) merge queue has the focus now
    await until(r.lastFrame, (x) => x.includes("no task selected"));
    expect(fake.calls.filter((c) => c.startsWith("abort"))).toEqual([]);
    r.stdin.write(",");
    const s = await until(r.lastFrame, (x) => x.includes("defaults.concurrency: 4"));
    expect(s).toContain("Settings: global, merged");
  });

  it("coalesces 10,000 events into a few renders and shows the newest output", async () => {
    const fake = fakeClient(tasks());
    const r = render(<App client={fake.client} size={size} throttleMs={100} />);
    await until(r.lastFrame, (x) => x.includes("Tasks (4)"));
    const before = r.frames.length;
    for (let i = 0; i < 10_000; i++)
      fake.emit({ kind: "event", event: outputEvent(11 + i, i % 2 ? "alpha" : "beta", `out ${i}`) });
    await until(r.lastFrame, (x) => x.includes("out 9999") && x.includes("out 9998"));
    expect(r.frames.length - before).toBeLessThan(10);
  });
});

describe("the batcher", () => {
  it("flushes a synchronous burst once, with every item in order", async () => {
    const flushes: number[][] = [];
    const b = createBatcher<number>((items) => flushes.push(items), 50);
    for (let i = 0; i < 10_000; i++) b.push(i);
    expect(flushes).toHaveLength(0);
    await tick(10);
    expect(flushes).toHaveLength(1);
    expect(flushes[0]).toHaveLength(10_000);
    b.push(1);
    await tick(10);
    expect(flushes).toHaveLength(1); // the next flush waits out the interval
    await tick(60);
    expect(flushes).toHaveLength(2);
  });
});
