import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSse, startMockLlm, type MockLlm } from "./index.js";

/** Requests shaped like OpenCode 1.18's (@ai-sdk/openai-compatible; see ../shared/notes/agent-clis.md). */
const CWD = "/work/repo";
const fn = (name: string, properties: Record<string, unknown>, required: string[]) => ({
  type: "function",
  function: { name, description: `the ${name} tool`, parameters: { type: "object", properties, required } },
});
const str = { type: "string" };
const TOOLS = [
  fn("bash", { command: str, timeout: { type: "number" }, workdir: str, description: str }, ["command", "description"]),
  fn("edit", { filePath: str, oldString: str, newString: str, replaceAll: { type: "boolean" } }, ["filePath"]),
  fn("read", { filePath: str, offset: { type: "number" } }, ["filePath"]),
  fn("write", { content: str, filePath: str }, ["content", "filePath"]),
];
const SYSTEM = `You are opencode, an interactive CLI tool.\n<env>\n  Working directory: ${CWD}\n  Is directory a git repo: yes\n  Platform: linux\n</env>`;

type Message = { role: string; content: unknown; tool_calls?: ToolCall[]; tool_call_id?: string };
type ToolCall = { id: string; type: string; function: { name: string; arguments: string } };

const SCRIPT = {
  models: ["mock-model"],
  rules: [
    {
      match: { prompt: "hello" },
      turns: [
        { write: { path: "hello.txt", content: "hello\n" } },
        { bash: { command: "npm test" } },
        { edit: { path: "src/a.ts", find: "a", replace: "b" } },
        { text: "All done." },
      ],
    },
    { match: { prompt: "loop" }, turns: [{ repeat: { write: { path: "x.txt", content: "x" } } }] },
    { match: { prompt: "rate" }, turns: [{ error: { status: 429, message: "slow down" } }] },
    { match: { prompt: "/^bye$/i" }, turns: [{ text: "Goodbye." }] },
  ],
};

let mock: MockLlm;
beforeAll(async () => (mock = await startMockLlm({ script: SCRIPT })));
afterAll(() => mock.close());

function post(messages: Message[], stream: boolean): Promise<Response> {
  const body = {
    model: "mock-model",
    messages: [{ role: "system", content: SYSTEM }, ...messages],
    tools: TOOLS,
    tool_choice: "auto",
    stream,
    ...(stream ? { stream_options: { include_usage: true } } : {}),
  };
  return fetch(`${mock.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer dummy" },
    body: JSON.stringify(body),
  });
}

interface Reply {
  message: { role: string; content: string | null; tool_calls?: ToolCall[] };
  finish_reason: string;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

interface Chunk {
  object: string;
  choices: Array<{
    finish_reason: string | null;
    delta: {
      content?: string | null;
      tool_calls?: Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }>;
    };
  }>;
  usage?: Reply["usage"];
}

/** Accumulates the chunks as the OpenAI SDK does (tool calls by index, arguments concatenated). */
async function fromStream(res: Response): Promise<Reply> {
  const events = await readSse(res);
  expect(events.at(-1)!.data).toBe("[DONE]");
  expect(events.every((e) => e.event === undefined)).toBe(true);
  const chunks = events.slice(0, -1).map((e) => e.json as Chunk);
  expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
  const usageChunk = chunks.at(-1)!;
  expect(usageChunk.choices).toEqual([]);
  let content = "";
  let finish = "";
  const calls: ToolCall[] = [];
  for (const c of chunks.slice(0, -1)) {
    const choice = c.choices[0]!;
    if (choice.finish_reason) finish = choice.finish_reason;
    if (typeof choice.delta.content === "string") content += choice.delta.content;
    for (const d of choice.delta.tool_calls ?? []) {
      const call = (calls[d.index] ??= { id: "", type: "function", function: { name: "", arguments: "" } });
      if (d.id) call.id = d.id;
      if (d.function?.name) call.function.name = d.function.name;
      call.function.arguments += d.function?.arguments ?? "";
    }
  }
  expect(finish).toBe(chunks.at(-2)!.choices[0]!.finish_reason);
  const message =
    calls.length > 0 ? { role: "assistant", content: null, tool_calls: calls } : { role: "assistant", content };
  return { message, finish_reason: finish, usage: usageChunk.usage! };
}

async function send(messages: Message[], stream: boolean): Promise<Reply> {
  const res = await post(messages, stream);
  expect(res.status).toBe(200);
  if (stream) return fromStream(res);
  const body = (await res.json()) as { object: string; choices: Reply[]; usage: Reply["usage"] };
  expect(body.object).toBe("chat.completion");
  return { ...body.choices[0]!, usage: body.usage };
}

async function converse(text: string, stream: boolean, max = 8) {
  const messages: Message[] = [{ role: "user", content: [{ type: "text", text }] }];
  const calls: Array<[string, unknown]> = [];
  for (let i = 0; i < max; i++) {
    const reply = await send(messages, stream);
    const { prompt_tokens, completion_tokens, total_tokens } = reply.usage;
    expect(prompt_tokens > 0 && completion_tokens > 0 && total_tokens === prompt_tokens + completion_tokens).toBe(true);
    const call = reply.message.tool_calls?.[0];
    if (!call) {
      expect(reply.finish_reason).toBe("stop");
      return { calls, text: reply.message.content };
    }
    expect(reply.finish_reason).toBe("tool_calls");
    calls.push([call.function.name, JSON.parse(call.function.arguments)]);
    messages.push({ role: "assistant", content: null, tool_calls: [call] });
    messages.push({ role: "tool", tool_call_id: call.id, content: `ok ${i}` });
  }
  return { calls, text: undefined };
}

describe.each([true, false])("OpenAI Chat Completions (stream: %s)", (stream) => {
  it("maps write, bash and edit onto OpenCode's tools, step by step, then the final text", async () => {
    const before = mock.requests.length;
    const { calls, text } = await converse("Say hello", stream);
    expect(calls).toEqual([
      ["write", { filePath: `${CWD}/hello.txt`, content: "hello\n" }],
      ["bash", { command: "npm test", workdir: CWD, description: "Run npm test" }],
      ["edit", { filePath: `${CWD}/src/a.ts`, oldString: "a", newString: "b" }],
    ]);
    expect(text).toBe("All done.");
    const seen = mock.requests.slice(before);
    expect(seen.map((r) => [r.api, r.step, r.rule, r.cwd, r.stream])).toEqual(
      [0, 1, 2, 3].map((step) => ["chat", step, 0, CWD, stream]),
    );
  });

  it("matches a /regex/flags prompt", async () => {
    expect((await converse("BYE", stream)).text).toBe("Goodbye.");
  });

  it("says so in a text answer when no rule matches", async () => {
    expect((await converse("something else", stream)).text).toMatch(/no rule matches.*something else/);
  });

  it("repeats the same tool call on every request of a repeat step", async () => {
    const { calls } = await converse("loop", stream, 5);
    expect(calls).toEqual(Array(5).fill(["write", { filePath: `${CWD}/x.txt`, content: "x" }]));
  });

  it("answers an error step with its status and an OpenAI error body", async () => {
    const res = await post([{ role: "user", content: "rate me" }], stream);
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe("slow down");
  });
});
