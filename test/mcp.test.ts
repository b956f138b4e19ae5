import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createEngine, processStartTime, type Engine } from "@flotilla/engine";
import type { Project } from "@flotilla/protocol";
import {
  QUEUED_ANSWER,
  RUN_CREDENTIAL_ARG,
  runCredential,
  sharedUrl,
  startMcpServer,
  type FlotillaMcpServer,
} from "../packages/engine/src/mcp/index.js";
import { isolatedEnv, makeRepo, tempDir, waitFor } from "./support/fixtures.js";

type ToolResult = { content: { type: string; text: string }[]; isError?: boolean };

describe("Flotilla's MCP server: ask, report_progress, claim_files, attributed to runs", () => {
  let root: ReturnType<typeof tempDir>;
  let engine: Engine;
  let project: Project;
  let mcp: FlotillaMcpServer;
  let stop: AbortController;
  let running: Promise<unknown>;
  const clients: Client[] = [];

  const connect = async (url: string) => {
    const client = new Client({ name: "test-agent", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    clients.push(client);
    return client;
  };
  const call = async (client: Client, name: string, args: Record<string, unknown>) =>
    (await client.callTool({ name, arguments: args })) as ToolResult;
  const runOf = (taskId: string) => engine.store.read.runs.listForTask(taskId).find((r) => r.status === "running")?.id;
  const agentEvents = (taskId: string) =>
    engine.store.read.events
      .since(0, { taskId })
      .flatMap((e) => (e.payload.type === "run.agent-event" ? [{ runId: e.payload.runId, ...e.payload.event }] : []));

  beforeEach(async () => {
    root = tempDir("flotilla-mcp-");
    engine = createEngine({ env: isolatedEnv(root.path) });
    project = await engine.projects.add({ path: makeRepo(join(root.path, "repo")) });
    const hang = { steps: [{ hang: {} }], followUps: [] };
    const a = await engine.createTask(project, {
      id: "a",
      prompt: "a",
      agent: "scripted",
      script: hang,
      writes: ["src/a/**"],
    });
    const b = await engine.createTask(project, {
      id: "b",
      prompt: "b",
      agent: "scripted",
      script: hang,
      writes: ["src/b/**"],
    });
    stop = new AbortController();
    running = engine.runTasks([a.id, b.id], { shutdown: stop.signal, concurrency: 2 });
    await waitFor("both agents running", () => (runOf("a") && runOf("b") ? true : undefined));
    mcp = await startMcpServer({
      store: engine.store,
      self: { pid: process.pid, startedAt: processStartTime(process.pid) ?? "" },
    });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => undefined);
    await mcp.close();
    stop.abort();
    await running;
    engine.close();
    root.cleanup();
  });

  it("report_progress is recorded on the calling run; ask without an orchestrator is queued and returns at once", async () => {
    const runA = runOf("a") ?? "";
    const client = await connect(mcp.urlFor(runA));
    const tools = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(tools).toEqual(["ask", "claim_files", "report_progress"]);

    expect((await call(client, "report_progress", { message: "halfway there", percent: 50 })).isError).toBeFalsy();
    const started = Date.now();
    const answer = await call(client, "ask", { question: "Should the API be versioned?" });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(answer.content[0]?.text).toBe(QUEUED_ANSWER);

    const events = agentEvents("a");
    expect(events).toContainEqual(
      expect.objectContaining({ runId: runA, type: "message", text: "[50%] halfway there" }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ runId: runA, type: "question", question: "Should the API be versioned?" }),
    );
    expect(agentEvents("b").some((e) => e.type === "question" || e.type === "message")).toBe(false);
    // The other agent was not blocked: b still runs.
    expect(runOf("b")).toBeDefined();
  });

  it("claim_files is granted when no other active task's lease may overlap, refused naming the holder otherwise", async () => {
    const client = await connect(mcp.urlFor(runOf("a") ?? ""));
    const granted = await call(client, "claim_files", { paths: ["docs/a.md"] });
    expect(granted.isError).toBeFalsy();
    expect(granted.content[0]?.text).toMatch(/^granted: .*src\/a\/\*\*, docs\/a\.md/);
    const leaseA = engine.store.read.leases.list({ projectId: project.id }).find((l) => l.taskId === "a");
    expect(leaseA?.globs).toEqual(["src/a/**", "docs/a.md"]);

    const refused = await call(client, "claim_files", { paths: ["src/b/index.ts"] });
    expect(refused.isError).toBe(true);
    expect(refused.content[0]?.text).toMatch(/^refused: task b holds a write lease/);
    // And b cannot now take what a claimed.
    const clientB = await connect(mcp.urlFor(runOf("b") ?? ""));
    expect((await call(clientB, "claim_files", { paths: ["docs/**"] })).content[0]?.text).toMatch(/task a holds/);
  });

  it("the shared endpoint attributes each tool call to the run its credential names, and refuses one without", async () => {
    const runA = runOf("a") ?? "";
    const shared = sharedUrl(mcp.urlFor(runA)) ?? "";
    expect(shared).toBe(`http://127.0.0.1:${mcp.port}/mcp/shared`);
    const client = await connect(shared);
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual([
      "ask",
      "claim_files",
      "report_progress",
    ]);

    const credential = runCredential(mcp.urlFor(runA)) ?? "";
    expect(credential).toMatch(new RegExp(`^${runA}/[0-9a-f]{64}$`));
    const ok = await call(client, "report_progress", {
      message: "via the shared endpoint",
      [RUN_CREDENTIAL_ARG]: credential,
    });
    expect(ok.isError).toBeFalsy();
    expect(agentEvents("a")).toContainEqual(
      expect.objectContaining({ runId: runA, type: "message", text: "via the shared endpoint" }),
    );
    for (const wrong of [undefined, `${runA}/${"0".repeat(64)}`, "garbage"]) {
      const refused = await call(client, "report_progress", {
        message: "who am I",
        ...(wrong !== undefined ? { [RUN_CREDENTIAL_ARG]: wrong } : {}),
      });
      expect(refused.isError).toBe(true);
      expect(refused.content[0]?.text).toMatch(/not attributed to a running Flotilla run/);
    }
    expect(agentEvents("a").some((e) => e.type === "message" && e.text === "who am I")).toBe(false);
    expect(agentEvents("b").some((e) => e.type === "message")).toBe(false);
  });

  it("a malformed request gets a protocol error and the server still answers; a wrong token is refused", async () => {
    const url = mcp.urlFor(runOf("a") ?? "");
    const post = (body: string, target = url) =>
      fetch(target, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body,
      });
    const garbage = await post("{not json");
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { code: number } }).error.code).toBe(-32700);
    const notRpc = await post(JSON.stringify({ hello: "world" }));
    expect(notRpc.status).toBeGreaterThanOrEqual(400);

    const client = await connect(url);
    const badArgs = await client.callTool({ name: "report_progress", arguments: { percent: "lots" } }).then(
      (r) => r as ToolResult,
      (e: unknown) => ({ content: [{ type: "text", text: String(e) }], isError: true }),
    );
    expect(badArgs.isError).toBe(true);
    const unknownTool = await client.callTool({ name: "no_such_tool", arguments: {} }).then(
      (r) => r as ToolResult,
      (e: unknown) => ({ content: [{ type: "text", text: String(e) }], isError: true }),
    );
    expect(unknownTool.isError).toBe(true);
    expect((await call(client, "report_progress", { message: "still here" })).isError).toBeFalsy();

    const wrong = url.replace(/[0-9a-f]{64}$/, "0".repeat(64));
    const refused = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }), wrong);
    expect(refused.status).toBe(401);
    await expect(connect(wrong)).rejects.toThrow();
  });
});
