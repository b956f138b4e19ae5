import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { createLineSplitter, startProcess } from "./index.js";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin" };

/**
 * A child that writes `outLines` numbered 100-byte lines to stdout and `errLines` to stderr at
 * the same time, each stream honouring backpressure on its own: if the parent stopped reading
 * either pipe, the child would block on it and never finish.
 */
const WRITER = `
const [outLines, errLines] = process.argv.slice(1).map(Number);
const pad = "x".repeat(89);
function pump(stream, tag, total) {
  let i = 0;
  const chunk = 64;
  (function go() {
    while (i < total) {
      let s = "";
      for (let k = 0; k < chunk && i < total; k++, i++) s += tag + String(i).padStart(9, "0") + pad + "\\n";
      if (!stream.write(s)) return stream.once("drain", go);
    }
  })();
}
pump(process.stdout, "o", outLines);
pump(process.stderr, "e", errLines);
`;

describe("output volume", () => {
  it("reads 100 MB of stdout (and 20 MB of stderr at once) line by line in bounded memory", async () => {
    const outLines = 1_000_000; // x 100 bytes = 100 MB
    const errLines = 200_000;
    let outCount = 0;
    let errCount = 0;
    let outOrder = true;
    let errOrder = true;
    let badLength = 0;
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 20);
    const handle = startProcess({
      command: process.execPath,
      args: ["-e", WRITER, String(outLines), String(errLines)],
      cwd: tmpdir(),
      env,
      onStdoutLine: (line) => {
        if (line.length !== 99) badLength++;
        if (outOrder && Number(line.slice(1, 10)) !== outCount) outOrder = false;
        outCount++;
      },
      onStderrLine: (line) => {
        if (line.length !== 99) badLength++;
        if (errOrder && Number(line.slice(1, 10)) !== errCount) errOrder = false;
        errCount++;
      },
    });
    const result = await handle.exited;
    clearInterval(sampler);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    expect(result).toEqual({ code: 0, signal: null });
    expect(outCount).toBe(outLines);
    expect(errCount).toBe(errLines);
    expect({ outOrder, errOrder, badLength }).toEqual({ outOrder: true, errOrder: true, badLength: 0 });
    const growthMb = (rssPeak - rssBefore) / (1024 * 1024);
    expect(growthMb).toBeLessThan(60);
  }, 120_000);

  it("cuts a 10 MB line instead of holding it", async () => {
    const lines: string[] = [];
    const rssBefore = process.memoryUsage().rss;
    const handle = startProcess({
      command: process.execPath,
      args: ["-e", `process.stdout.write("a".repeat(10 * 1024 * 1024)); process.stdout.write("\\nnext\\n");`],
      cwd: tmpdir(),
      env,
      maxLineLength: 1000,
      onStdoutLine: (l) => lines.push(l),
    });
    expect(await handle.exited).toEqual({ code: 0, signal: null });
    expect(lines).toHaveLength(2);
    expect(lines[0]?.startsWith("a".repeat(1000))).toBe(true);
    expect(lines[0]).toContain("[line cut]");
    // Held lines would be 10 MB; a cut line is bounded (see known-bugs.test.ts for its exact size).
    expect(lines[0]?.length ?? 0).toBeLessThan(200 * 1024);
    expect(lines[1]).toBe("next");
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
  });
});

describe("createLineSplitter", () => {
  it("splits across chunk boundaries, strips CR, decodes split UTF-8 and flushes the last line", () => {
    const lines: string[] = [];
    const s = createLineSplitter((l) => lines.push(l));
    const euro = Buffer.from("€"); // 3 bytes
    s.push(Buffer.from("ab"));
    s.push(Buffer.concat([Buffer.from("c\r\nx"), euro.subarray(0, 1)]));
    s.push(Buffer.concat([euro.subarray(1), Buffer.from("\n\nlast")]));
    s.end();
    expect(lines).toEqual(["abc", "x€", "", "last"]);
  });

  it("cuts a long line that arrives in one chunk", () => {
    const lines: string[] = [];
    const s = createLineSplitter((l) => lines.push(l), 10);
    s.push(Buffer.from(`${"z".repeat(25)}\nok\n`));
    s.end();
    expect(lines).toEqual([`${"z".repeat(10)} …[line cut]`, "ok"]);
  });
});
