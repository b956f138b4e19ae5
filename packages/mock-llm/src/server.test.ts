import { afterEach, describe, expect, it } from "vitest";
import { isLoopback, MockScriptError, startMockLlm, type MockLlm } from "./index.js";

const open: MockLlm[] = [];
async function start(script: Parameters<typeof startMockLlm>[0]["script"], log?: (line: string) => void) {
  const mock = await startMockLlm({ script, ...(log ? { log } : {}) });
  open.push(mock);
  return mock;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()));
});

const chat = (mock: MockLlm, content: string, extra: Record<string, unknown> = {}) =>
  fetch(`${mock.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", messages: [{ role: "user", content }], ...extra }),
  });
const text = async (res: Response) =>
  ((await res.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content;

describe("mock-llm server", () => {
  it("refuses any host that is not a loopback address", async () => {
    for (const host of ["0.0.0.0", "192.168.1.10", "example.com", "::", "128.0.0.1"]) {
      await expect(startMockLlm({ script: [], host })).rejects.toThrow(/loopback address only/);
      expect(isLoopback(host)).toBe(false);
    }
    expect(["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost"].every(isLoopback)).toBe(true);
  });

  it("refuses an invalid script, naming the key path", async () => {
    const bad = { rules: [{ turns: [{ bash: {} }] }] };
    await expect(startMockLlm({ script: bad })).rejects.toThrow(MockScriptError);
    await expect(startMockLlm({ script: bad })).rejects.toThrow("rules[0].turns[0].bash.command");
    await expect(startMockLlm({ script: "- turns: [{ text: 3 }]" })).rejects.toThrow(
      "script:1:19: rules[0].turns[0].text",
    );
  });

  it("answers HEAD / and GET /v1/models, and a JSON 404 for anything else", async () => {
    const mock = await start({ models: ["claude-opus-4-8"], rules: [{ match: { model: "gpt-5.5" }, turns: ["x"] }] });
    expect(mock.url).toBe(`http://127.0.0.1:${mock.port}`);
    expect((await fetch(mock.url, { method: "HEAD" })).status).toBe(200);
    const models = (await (await fetch(`${mock.url}/v1/models`)).json()) as {
      object: string;
      data: Array<{ id: string }>;
    };
    expect(models.object).toBe("list");
    expect(models.data.map((m) => m.id)).toEqual(["claude-opus-4-8", "gpt-5.5", "mock-model"]);
    for (const [method, path] of [
      ["GET", "/nope"],
      ["POST", "/v1/embeddings"],
      ["GET", "/v1/responses"],
    ] as const) {
      const res = await fetch(`${mock.url}${path}`, { method });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/no route/);
    }
    const bad = await fetch(`${mock.url}/v1/messages`, { method: "POST", body: "{" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
  });

  it("also serves the routes without the /v1 prefix, and counts Anthropic tokens", async () => {
    const mock = await start([{ turns: ["hi"] }]);
    const res = await fetch(`${mock.url}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ messages: [{ role: "user", content: "x" }] }),
    });
    expect(await text(res)).toBe("hi");
    const count = await fetch(`${mock.url}/v1/messages/count_tokens`, { method: "POST", body: '{"messages":[]}' });
    expect(await count.json()).toEqual({ input_tokens: 4 });
  });

  it("matches rules by system prompt", async () => {
    const mock = await start([
      { match: { system: "You are Codex" }, turns: ["codex"] },
      { match: { system: "opencode" }, turns: ["opencode"] },
    ]);
    const withSystem = (system: string) => ({
      messages: [
        { role: "system", content: system },
        { role: "user", content: "hi" },
      ],
    });
    expect(await text(await chat(mock, "", withSystem("You are opencode, a CLI")))).toBe("opencode");
    expect(await text(await chat(mock, "", withSystem("You are Codex")))).toBe("codex");
  });

  it("sleeps before answering, then serves the step", async () => {
    const mock = await start([{ turns: [{ sleep: { ms: 250 } }, "late"] }]);
    const t0 = Date.now();
    expect(await text(await chat(mock, "hi"))).toBe("late");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
  });

  it("answers with text when the script ends or the request lists no tool for the step", async () => {
    const mock = await start([
      { match: { prompt: "write" }, turns: [{ write: { path: "a", content: "b" } }] },
      { match: { prompt: "done" }, turns: [{ bash: { command: "ls" } }] },
    ]);
    expect(await text(await chat(mock, "write it"))).toMatch(
      /no tool for a write step among the request's tools \(none\)/,
    );
    const messages = [
      { role: "user", content: "done?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "c", type: "function", function: { name: "bash", arguments: "{}" } }],
      },
      { role: "tool", tool_call_id: "c", content: "ok" },
    ];
    expect(await text(await chat(mock, "", { messages }))).toMatch(/rules\[1\] has no step 1; the script ended/);
  });

  it("records every request and logs one line for each", async () => {
    const lines: string[] = [];
    const mock = await start("- match: { prompt: hi }\n  turns: [Hello.]\n", (l) => lines.push(l));
    await chat(mock, "hi there", { stream: true }).then((r) => r.text());
    await fetch(`${mock.url}/`, { method: "HEAD" });
    expect(mock.requests).toEqual([
      {
        method: "POST",
        path: "/v1/chat/completions",
        api: "chat",
        model: "m",
        stream: true,
        tools: [],
        step: 0,
        rule: 0,
        lastUserText: "hi there",
        served: { kind: "text", text: "Hello." },
        status: 200,
      },
      { method: "HEAD", path: "/", status: 200 },
    ]);
    expect(lines).toEqual([
      'POST /v1/chat/completions → 200 chat stream model=m rule=0 step=0 text "Hello."',
      "HEAD / → 200",
    ]);
  });

  it("closes even while a client holds a keep-alive connection", async () => {
    const mock = await startMockLlm({ script: [] });
    await fetch(`${mock.url}/v1/models`, { headers: { connection: "keep-alive" } }).then((r) => r.json());
    await mock.close();
    await expect(fetch(`${mock.url}/v1/models`)).rejects.toThrow();
  });
});
