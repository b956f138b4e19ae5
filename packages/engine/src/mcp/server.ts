import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";
import { ask, claimFiles, reportProgress, type Answerer, type McpDeps, type RunRef } from "./tools.js";

/** Flotilla's MCP server: one endpoint per run, `http://127.0.0.1:PORT/mcp/<runId>/<token>`. */
export interface FlotillaMcpServer {
  readonly port: number;
  /** The run's endpoint (its token is an HMAC of the run id under this server's secret). */
  urlFor(runId: string): string;
  close(): Promise<void>;
}

const ACTIVE_RUN = new Set(["starting", "running"]);
const MAX_BODY = 1 << 20;

/**
 * Starts the MCP server on 127.0.0.1 (a free port). Each request is authenticated by the token in
 * its path, attributed to that run, and served statelessly by a fresh MCP server and Streamable
 * HTTP transport, so one agent's bad request can never affect another's.
 */
export async function startMcpServer(deps: McpDeps, options: { answerer?: Answerer } = {}): Promise<FlotillaMcpServer> {
  const secret = randomBytes(32);
  const tokenFor = (runId: string) => createHmac("sha256", secret).update(runId).digest("hex");
  const http = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) rpcError(res, 500, -32603, err instanceof Error ? err.message : String(err));
      else res.end();
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/mcp\/([^/]+)\/([0-9a-f]+)\/?$/.exec(new URL(req.url ?? "/", "http://x").pathname);
    const run = match ? authenticate(match[1] ?? "", match[2] ?? "") : undefined;
    if (!run) return rpcError(res, 401, -32001, "unknown run or wrong token");
    if (req.method !== "POST") return rpcError(res, 405, -32000, "only POST is served (stateless)");
    const body = await readJson(req);
    if (body === PARSE_ERROR) return rpcError(res, 400, -32700, "parse error: the body is not JSON");
    const server = buildServer(deps, run, options.answerer);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }
  function authenticate(runId: string, token: string): RunRef | undefined {
    const expected = Buffer.from(tokenFor(runId));
    const given = Buffer.from(token);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    const run = deps.store.read.runs.get(runId);
    return run && ACTIVE_RUN.has(run.status) ? { runId, taskId: run.taskId } : undefined;
  }
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    port,
    urlFor: (runId) => `http://127.0.0.1:${port}/mcp/${encodeURIComponent(runId)}/${tokenFor(runId)}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

function buildServer(deps: McpDeps, run: RunRef, answerer: Answerer | undefined): McpServer {
  const server = new McpServer({ name: "flotilla", version: "0.1.0" });
  const text = (t: string, isError = false) => ({ content: [{ type: "text" as const, text: t }], isError });
  server.registerTool(
    "ask",
    {
      description:
        "Ask the orchestrator a question about the plan. Answered at once when it can; otherwise queued for a person (carry on meanwhile).",
      inputSchema: { question: z.string().min(1).max(4000) },
    },
    async ({ question }) => text(await ask(deps, run, question, answerer)),
  );
  server.registerTool(
    "report_progress",
    {
      description: "Report progress on your task (shown to the person watching).",
      inputSchema: { message: z.string().min(1).max(4000), percent: z.number().min(0).max(100).optional() },
    },
    ({ message, percent }) => text(reportProgress(deps, run, message, percent)),
  );
  server.registerTool(
    "claim_files",
    {
      description:
        "Ask for a write lease on more paths (globs). Granted when no other running task may write them; refused naming the holder.",
      inputSchema: { paths: z.array(z.string().min(1).max(1000)).min(1).max(100) },
    },
    ({ paths }) => {
      const result = claimFiles(deps, run, paths);
      return result.granted
        ? text(`granted: your write lease now covers ${result.globs.join(", ")}`)
        : text(`refused: ${result.reason}`, true);
    },
  );
  return server;
}

const PARSE_ERROR = Symbol("parse error");

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return PARSE_ERROR;
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  } catch {
    return PARSE_ERROR;
  }
}

function rpcError(res: ServerResponse, status: number, code: number, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}
