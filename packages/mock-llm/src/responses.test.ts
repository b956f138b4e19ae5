import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSse, startMockLlm, type MockLlm } from "./index.js";

/** Requests shaped like Codex 0.169's (custom provider, wire_api = "responses"; see agent-clis.md). */
const CWD = "/work/repo";
const GRAMMAR = 'start: begin_patch hunk+ end_patch\nbegin_patch: "*** Begin Patch" LF\n';
const TOOLS = [
  {
    type: "function",
    name: "exec_command",
    strict: false,
    parameters: {
      type: "object",
      properties: { cmd: { type: "string" }, workdir: { type: "string" }, login: { type: "boolean" } },
      required: ["cmd"],
    },
  },
  { type: "function", name: "write_stdin", parameters: { type: "object", properties: { session_id: {} } } },
  { type: "custom", name: "apply_patch", format: { type: "grammar", syntax: "lark", definition: GRAMMAR } },
  { type: "web_search", external_web_access: true },
];
const msg = (role: string, text: string) => ({
  type: "message",
  role,
  content: [{ type: role === "assistant" ? "output_text" : "input_text", text }],
});
const ENV = `<environment_context>\n  <cwd>${CWD}</cwd>\n  <shell>bash</shell>\n</environment_context>`;

const SCRIPT = `
- match: { prompt: hello, model: gpt-5.5 }
  turns:
    - write: { path: hello.txt, content: "hello\\nworld\\n" }
    - bash: { command: npm test }
    - edit: { path: hello.txt, find: world, replace: there }
    - text: All done.
- match: { prompt: loop }
  turns: [{ repeat: { bash: { command: "echo again" } } }]
- match: { prompt: crash }
  turns: [{ error: { status: 500, message: boom, times: 1 } }, { text: recovered }]
`;

let mock: MockLlm;
beforeAll(async () => (mock = await startMockLlm({ script: SCRIPT })));
afterAll(() => mock.close());

interface Item {
  type: string;
  status?: string;
  call_id?: string;
  name?: string;
  input?: string;
  arguments?: string;
  content?: Array<{ type: string; text: string }>;
  [k: string]: unknown;
}
interface Usage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}
interface ResponseObject {
  status: string;
  output: Item[];
  usage: Usage;
  error?: unknown;
}
interface StreamEvent {
  type: string;
  sequence_number: number;
  delta?: string;
  item?: Item;
  response?: ResponseObject;
}

function post(input: Item[], stream: boolean, model = "gpt-5.5"): Promise<Response> {
  const body = { model, instructions: "", input, tools: TOOLS, tool_choice: "auto", stream, store: false };
  return fetch(`${mock.url}/v1/responses`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer dummy" },
    body: JSON.stringify(body),
  });
}

/** Reads a stream as Codex does (items from output_item.done), checking the event order and deltas. */
async function fromStream(res: Response): Promise<ResponseObject> {
  const events = await readSse(res);
  const names = events.map((e) => e.event!);
  const data = events.map((e) => e.json as StreamEvent);
  data.forEach((d, i) => expect([d.type, d.sequence_number]).toEqual([names[i], i]));
  expect(names.slice(0, 3)).toEqual(["response.created", "response.in_progress", "response.output_item.added"]);
  expect(names.slice(-2)).toEqual(["response.output_item.done", "response.completed"]);
  const item = data.at(-2)!.item!;
  const deltas = (type: string) => data.filter((d) => d.type === type).map((d) => d.delta);
  if (item.type === "message") {
    expect(deltas("response.output_text.delta").join("")).toBe(item.content![0]!.text);
  } else if (item.type === "function_call") {
    const args = deltas("response.function_call_arguments.delta").join("");
    expect(JSON.parse(args)).toEqual(JSON.parse(item.arguments!));
  } else {
    expect(item.type).toBe("custom_tool_call");
    expect(deltas("response.custom_tool_call_input.delta").join("")).toBe(item.input);
  }
  return data.at(-1)!.response!;
}

async function send(input: Item[], stream: boolean, model?: string): Promise<Item> {
  const res = await post(input, stream, model);
  expect(res.status).toBe(200);
  const response = stream ? await fromStream(res) : ((await res.json()) as ResponseObject);
  expect(response.status).toBe("completed");
  const u = response.usage;
  expect(u.input_tokens > 0 && u.output_tokens > 0 && u.total_tokens === u.input_tokens + u.output_tokens).toBe(true);
  expect(response.output).toHaveLength(1);
  return response.output[0]!;
}

async function converse(prompt: string, stream: boolean, max = 8, model?: string) {
  const input: Item[] = [msg("developer", "You are Codex."), msg("user", ENV), msg("user", prompt)];
  const calls: Item[] = [];
  for (let i = 0; i < max; i++) {
    const item = await send(input, stream, model);
    if (item.type === "message") return { calls, text: item.content![0]!.text };
    calls.push(item);
    const output = item.type === "custom_tool_call" ? "custom_tool_call_output" : "function_call_output";
    input.push({ type: "reasoning", summary: [], encrypted_content: "x" }, item);
    input.push({ type: output, call_id: item.call_id, output: `ok ${i}` });
  }
  return { calls, text: undefined };
}

describe.each([true, false])("OpenAI Responses (stream: %s)", (stream) => {
  it("maps write and edit onto Codex's freeform apply_patch and bash onto exec_command", async () => {
    const before = mock.requests.length;
    const { calls, text } = await converse("Say hello", stream);
    expect(calls.map((c) => [c.type, c.name, c.input ?? (JSON.parse(c.arguments!) as unknown)])).toEqual([
      ["custom_tool_call", "apply_patch", "*** Begin Patch\n*** Add File: hello.txt\n+hello\n+world\n*** End Patch\n"],
      ["function_call", "exec_command", { cmd: "npm test", workdir: CWD }],
      [
        "custom_tool_call",
        "apply_patch",
        "*** Begin Patch\n*** Update File: hello.txt\n@@\n-world\n+there\n*** End Patch\n",
      ],
    ]);
    expect(calls.every((c) => c.call_id!.startsWith("call_") && c.status === "completed")).toBe(true);
    expect(text).toBe("All done.");
    const seen = mock.requests.slice(before);
    expect(seen.map((r) => r.step)).toEqual([0, 1, 2, 3]);
    expect(seen.every((r) => r.cwd === CWD && r.lastUserText === "Say hello" && r.model === "gpt-5.5")).toBe(true);
  });

  it("matches rules by model as well as prompt", async () => {
    expect((await converse("Say hello", stream, 8, "other-model")).text).toMatch(/no rule matches/);
  });

  it("repeats the same tool call on every request of a repeat step", async () => {
    const { calls } = await converse("loop", stream, 5);
    expect(calls.map((c) => JSON.parse(c.arguments!) as unknown)).toEqual(
      Array(5).fill({ cmd: "echo again", workdir: CWD }),
    );
  });

  it("fails with the error step's status `times` times, then serves the next step", async () => {
    const input = [msg("user", ENV), msg("user", `crash ${stream}`)];
    const res = await post(input, stream);
    expect(res.status).toBe(500);
    expect(((await res.json()) as ResponseObject).error).toMatchObject({ message: "boom", type: "server_error" });
    expect((await send(input, stream)).content![0]!.text).toBe("recovered");
  });
});

describe("Codex's deferred MCP tools: a tool_search call, then the found namespace's tool", () => {
  const SEARCH_TOOL = {
    type: "tool_search",
    execution: "client",
    description: "Searches over deferred tool metadata.",
    parameters: { type: "object", properties: { query: { type: "string" } }, required: ["query"] },
  };
  const FOUND = {
    type: "namespace",
    name: "mcp__flotilla",
    description: "Tools in the mcp__flotilla namespace.",
    tools: [
      {
        type: "function",
        name: "report_progress",
        defer_loading: true,
        parameters: { type: "object", properties: { message: { type: "string" } }, required: ["message"] },
      },
    ],
  };
  let deferred: MockLlm;
  beforeAll(
    async () =>
      (deferred = await startMockLlm({
        script: `
- turns:
    - call: { name: tool_search, input: { query: "flotilla progress" } }
    - call: { name: mcp__flotilla__report_progress, input: { message: "half" } }
    - text: Reported.
`,
      })),
  );
  afterAll(() => deferred.close());

  async function answer(input: Item[], stream: boolean): Promise<Item> {
    const body = { model: "gpt-5.5", input, tools: [TOOLS[0], SEARCH_TOOL], stream, store: false };
    const res = await fetch(`${deferred.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    if (!stream) return ((await res.json()) as ResponseObject).output[0]!;
    const data = (await readSse(res)).map((e) => e.json as StreamEvent);
    expect(data.at(-1)?.type).toBe("response.completed");
    return data.find((d) => d.type === "response.output_item.done")!.item!;
  }

  it.each([true, false])(
    "serves tool_search_call, then a function_call in the namespace (stream: %s)",
    async (stream) => {
      const before = deferred.requests.length;
      const input: Item[] = [msg("user", ENV), msg("user", `report ${stream}`)];
      const search = await answer(input, stream);
      expect(search).toMatchObject({
        type: "tool_search_call",
        execution: "client",
        status: "completed",
        arguments: { query: "flotilla progress" },
      });
      // What Codex sends back: the search call and its output, the namespace it found.
      input.push(search, { type: "tool_search_output", call_id: search.call_id, execution: "client", tools: [FOUND] });
      const call = await answer(input, stream);
      expect(call).toMatchObject({ type: "function_call", namespace: "mcp__flotilla", name: "report_progress" });
      expect(JSON.parse(call.arguments!)).toEqual({ message: "half" });
      input.push(call, { type: "function_call_output", call_id: call.call_id, output: "recorded" });
      expect((await answer(input, stream)).content![0]!.text).toBe("Reported.");
      const seen = deferred.requests.slice(before);
      expect(seen.map((r) => [r.step, r.served?.kind === "tool" ? r.served.name : r.served?.kind])).toEqual([
        [0, "tool_search"],
        [1, "mcp__flotilla__report_progress"],
        [2, "text"],
      ]);
      expect(seen[1]?.tools).toContain("report_progress");
    },
  );
});
