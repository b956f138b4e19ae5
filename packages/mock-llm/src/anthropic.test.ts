import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSse, startMockLlm, type MockLlm } from "./index.js";

/** Requests shaped like Claude Code 2.1.197's (see ../shared/notes/agent-clis.md). */
const CWD = "/work/repo";
const TOOLS = [
  {
    name: "Bash",
    description: "Executes a given bash command",
    input_schema: {
      type: "object",
      properties: { command: { type: "string" }, timeout: { type: "number" }, description: { type: "string" } },
      required: ["command"],
      additionalProperties: false,
    },
  },
  {
    name: "Edit",
    input_schema: {
      type: "object",
      properties: {
        file_path: { type: "string" },
        old_string: { type: "string" },
        new_string: { type: "string" },
        replace_all: { type: "boolean" },
      },
      required: ["file_path", "old_string", "new_string"],
    },
  },
  { name: "Read", input_schema: { type: "object", properties: { file_path: { type: "string" } } } },
  {
    name: "Write",
    input_schema: {
      type: "object",
      properties: { file_path: { type: "string" }, content: { type: "string" } },
      required: ["file_path", "content"],
    },
  },
];
const SYSTEM = [
  { type: "text", text: "x-anthropic-billing-header: cc_version=2.1.197;" },
  { type: "text", text: "You are a Claude agent.", cache_control: { type: "ephemeral" } },
  { type: "text", text: `# Environment\n - Primary working directory: ${CWD}\n - Is a git repository: true\n` },
];

type Block = { type: string; id?: string; name?: string; text?: string; input?: unknown; [k: string]: unknown };
type Message = { role: string; content: string | Block[] };

function prompt(text: string): Message {
  const reminder = "<system-reminder>\n# currentDate\nToday's date is 2026-11-22.\n</system-reminder>\n";
  return {
    role: "user",
    content: [
      { type: "text", text: reminder },
      { type: "text", text },
    ],
  };
}

const SCRIPT = `
rules:
  - match: { prompt: "hello" }
    turns:
      - write: { path: hello.txt, content: "hello\\n" }
      - bash: { command: "npm test" }
      - edit: { path: hello.txt, find: "hello", replace: "bye" }
      - text: "All done."
  - match: { prompt: "^loop" }
    turns:
      - repeat: { bash: { command: "ls -la" } }
  - match: { prompt: "overloaded" }
    turns:
      - error: { status: 529, message: "busy" }
  - turns: ["Hi from the catch-all."]
`;

let mock: MockLlm;
beforeAll(async () => (mock = await startMockLlm({ script: SCRIPT })));
afterAll(() => mock.close());

function post(messages: Message[], stream: boolean): Promise<Response> {
  const body = { model: "claude-opus-4-8", max_tokens: 64000, stream, system: SYSTEM, messages, tools: TOOLS };
  return fetch(`${mock.url}/v1/messages?beta=true`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "dummy", "anthropic-version": "2023-06-01" },
    body: JSON.stringify(body),
  });
}

interface Reply {
  content: Block[];
  stop_reason: string;
  usage: { input_tokens: number; output_tokens: number };
}

interface StreamEvent {
  type: string;
  message?: { usage: Reply["usage"] };
  content_block?: Block;
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string };
  usage?: Reply["usage"];
}

/** Assembles a streamed message the way the SDK does, checking the event order on the way. */
async function fromStream(res: Response): Promise<Reply> {
  expect(res.headers.get("content-type")).toBe("text/event-stream");
  const events = await readSse(res);
  const names = events.map((e) => e.event);
  expect(names[0]).toBe("message_start");
  expect(names[1]).toBe("content_block_start");
  expect(names.slice(2, -3).every((n) => n === "content_block_delta")).toBe(true);
  expect(names.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
  for (const e of events) expect((e.json as { type: string }).type).toBe(e.event);
  const data = events.map((e) => e.json as StreamEvent);
  const start = data[1]!.content_block!;
  const deltas = data.filter((d) => d.type === "content_block_delta").map((d) => d.delta!);
  const last = data.find((d) => d.type === "message_delta")!;
  const usage = { ...data[0]!.message!.usage, ...last.usage! };
  const stop_reason = last.delta!.stop_reason!;
  if (start.type === "text") {
    expect(deltas.every((d) => d.type === "text_delta")).toBe(true);
    const text = deltas.map((d) => d.text).join("");
    return { content: [{ type: "text", text }], stop_reason, usage };
  }
  expect(start.input).toEqual({});
  expect(deltas.every((d) => d.type === "input_json_delta")).toBe(true);
  const input: unknown = JSON.parse(deltas.map((d) => d.partial_json).join(""));
  return { content: [{ ...start, input }], stop_reason, usage };
}

async function send(messages: Message[], stream: boolean): Promise<Reply> {
  const res = await post(messages, stream);
  expect(res.status).toBe(200);
  return stream ? fromStream(res) : ((await res.json()) as Reply);
}

/** Plays the agent: runs each tool call "successfully" until the model answers with text. */
async function converse(text: string, stream: boolean, max = 8) {
  const messages: Message[] = [prompt(text)];
  const calls: Block[] = [];
  for (let i = 0; i < max; i++) {
    const reply = await send(messages, stream);
    expect(reply.usage.input_tokens).toBeGreaterThan(0);
    expect(reply.usage.output_tokens).toBeGreaterThan(0);
    const block = reply.content[0]!;
    if (block.type === "text") {
      expect(reply.stop_reason).toBe("end_turn");
      return { calls, text: block.text as string };
    }
    expect(reply.stop_reason).toBe("tool_use");
    calls.push(block);
    messages.push({ role: "assistant", content: reply.content });
    messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: block.id, content: `ok ${i}` }] });
  }
  return { calls, text: undefined };
}

describe.each([true, false])("Anthropic Messages (stream: %s)", (stream) => {
  it("maps write, bash and edit onto Claude Code's tools, step by step, then the final text", async () => {
    const before = mock.requests.length;
    const { calls, text } = await converse("Say hello in hello.txt", stream);
    expect(calls.map((c) => [c.name, c.input])).toEqual([
      ["Write", { file_path: `${CWD}/hello.txt`, content: "hello\n" }],
      ["Bash", { command: "npm test", description: "Run npm test" }],
      ["Edit", { file_path: `${CWD}/hello.txt`, old_string: "hello", new_string: "bye" }],
    ]);
    expect(calls.every((c) => typeof c.id === "string" && c.id.startsWith("toolu_"))).toBe(true);
    expect(text).toBe("All done.");
    const seen = mock.requests.slice(before);
    expect(seen.map((r) => r.step)).toEqual([0, 1, 2, 3]);
    expect(seen.every((r) => r.api === "anthropic" && r.rule === 0 && r.cwd === CWD)).toBe(true);
    expect(seen[0]!.lastUserText).toBe("Say hello in hello.txt");
    expect(seen[3]!.lastToolResult).toBe("ok 2");
    expect(seen[0]!.tools).toEqual(["Bash", "Edit", "Read", "Write"]);
  });

  it("matches rules by prompt and falls through to a catch-all rule", async () => {
    expect((await converse("What's up?", stream)).text).toBe("Hi from the catch-all.");
  });

  it("repeats the same tool call on every request of a repeat step", async () => {
    const { calls } = await converse("loop forever", stream, 6);
    expect(calls).toHaveLength(6);
    expect(new Set(calls.map((c) => JSON.stringify(c.input))).size).toBe(1);
    expect(calls[0]!.input).toEqual({ command: "ls -la", description: "Run ls -la" });
  });

  it("answers an error step with its status and an Anthropic error body", async () => {
    const res = await post([prompt("overloaded?")], stream);
    expect(res.status).toBe(529);
    expect(await res.json()).toEqual({ type: "error", error: { type: "overloaded_error", message: "busy" } });
  });

  it("serves the same step again for a retried request (stateless)", async () => {
    const messages = [prompt("hello again")];
    const a = await send(messages, stream);
    const b = await send(messages, stream);
    expect(b).toEqual(a);
    expect(a.content[0]!.name).toBe("Write");
  });
});
