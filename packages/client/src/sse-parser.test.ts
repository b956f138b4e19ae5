import { describe, expect, it } from "vitest";
import { createSseParser, type SseMessage } from "./sse-parser.js";

function parse(chunks: string[]): { messages: SseMessage[]; retries: number[] } {
  const messages: SseMessage[] = [];
  const retries: number[] = [];
  const parser = createSseParser({ onMessage: (m) => messages.push(m), onRetry: (ms) => retries.push(ms) });
  for (const c of chunks) parser.push(c);
  return { messages, retries };
}

describe("the SSE parser", () => {
  it.each([
    ["one event", ["data: a\n\n"], [{ event: "message", data: "a", id: undefined }]],
    ["named, with id", ["event: snapshot\nid: 7\ndata: {}\n\n"], [{ event: "snapshot", data: "{}", id: "7" }]],
    ["multi-line data", ["data: a\ndata: b\n\n"], [{ event: "message", data: "a\nb", id: undefined }]],
    ["CRLF line ends", ["id: 1\r\ndata: x\r\n\r\n"], [{ event: "message", data: "x", id: "1" }]],
    ["CR line ends", ["id: 1\rdata: x\r\r"], [{ event: "message", data: "x", id: "1" }]],
    ["a CRLF split across chunks", ["data: x\r", "\n\r", "\n"], [{ event: "message", data: "x", id: undefined }]],
    ["comments are skipped", [": heartbeat\n\n", "data: y\n\n"], [{ event: "message", data: "y", id: undefined }]],
    ["no space after the colon", ["data:z\n\n"], [{ event: "message", data: "z", id: undefined }]],
    [
      "the id carries over to later events",
      ["id: 3\ndata: a\n\ndata: b\n\n"],
      [
        { event: "message", data: "a", id: "3" },
        { event: "message", data: "b", id: "3" },
      ],
    ],
    ["an event without data is not dispatched", ["event: x\n\n"], []],
    ["an incomplete event waits", ["data: a\n"], []],
  ])("%s", (_name, chunks, expected) => {
    expect(parse(chunks).messages).toEqual(expected);
  });

  it("reads retry: and splits at any byte", () => {
    const text = 'retry: 1500\n\nid: 1\ndata: {"a":1}\n\nid: 2\nevent: e\ndata: 2\n\n';
    const whole = parse([text]);
    const bytewise = parse(text.split(""));
    expect(whole.retries).toEqual([1500]);
    expect(bytewise).toEqual(whole);
    expect(whole.messages.map((m) => m.id)).toEqual(["1", "2"]);
  });
});
