import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";
import { ask, claimFiles, reportProgress, type Answerer, type McpDeps, type RunRef } from "./tools.js";

/**
 * Flotilla's MCP server: one endpoint per run, `http://127.0.0.1:PORT/mcp/<runId>/<token>`, and a
 * shared endpoint (`/mcp/shared`) for an agent server that serves many runs with one MCP config
 * (OpenCode's one `opencode serve`): there, each tool call carries its run's credential
 * (`<runId>/<token>`, the same token) in the argument `_flotilla_run`, which Flotilla's OpenCode
 * plugin sets from the calling session and which the model never sees.
 */
export interface FlotillaMcpServer {
  readonly port: number;
  /** The run's endpoint (its token is an HMAC of the run id under this server's secret). */
  urlFor(runId: string): string;
  close(): Promise<void>;
}

/** The shared endpoint's path (see FlotillaMcpServer). */
export const SHARED_MCP_PATH = "/mcp/shared";
/** The tool argument that attributes a call on the shared endpoint to a run: `<runId>/<token>`. */
export const RUN_CREDENTIAL_ARG = "_flotilla_run";

/** A run endpoint's `<runId>/<token>` (what the shared endpoint takes in RUN_CREDENTIAL_ARG), or undefined. */
export function runCredential(url: string): string | undefined {
  try {
    const match = RUN_PATH.exec(new URL(url).pathname);
    return match ? `${decode(match[1] ?? "")}/${match[2] ?? ""}` : undefined;
  } catch {
    return undefined;
  }
}

/** The shared endpoint of the server a run endpoint belongs to. */
export function sharedUrl(url: string): string | undefined {
  try {
    return new URL(SHARED_MCP_PATH, url).href;
  } catch {
    return undefined;
  }
}

const ACTIVE_RUN = new Set(["starting", "running"]);
const MAX_BODY = 1 << 20;
const RUN_PATH = /^\/mcp\/([^/]+)\/([0-9a-f]+)\/?$/;

/**
 * Starts the MCP server on 127.0.0.1 (a free port). Each request is authenticated by the token in
 * its path (or, on the shared endpoint, in its tool call), attributed to that run, and served
 * statelessly by a fresh MCP server and Streamable HTTP transport, so one agent's bad request can
 * never affect another's. A slow `ask` (the orchestrator answering) holds only its own request.
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
    const pathname = new URL(req.url ?? "/", "http://x").pathname.replace(/\/$/, "");
    const shared = pathname === SHARED_MCP_PATH;
    const match = shared ? null : RUN_PATH.exec(pathname);
    const pathRun = match ? authenticate(decode(match[1] ?? ""), match[2] ?? "") : undefined;
    if (!shared && !pathRun) return rpcError(res, 401, -32001, "unknown run or wrong token");
    if (req.method !== "POST") return rpcError(res, 405, -32000, "only POST is served (stateless)");
    const body = await readJson(req);
    if (body === PARSE_ERROR) return rpcError(res, 400, -32700, "parse error: the body is not JSON");
    const run = shared ? callerOf(body) : pathRun;
    const aborted = new AbortController();
    const server = buildServer(deps, run, options.answerer, aborted.signal);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on("close", () => {
      if (!res.writableFinished) aborted.abort();
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
  /** On the shared endpoint: the run a tool call names in RUN_CREDENTIAL_ARG (removed from its arguments). */
  function callerOf(body: unknown): RunRef | undefined {
    if (!isObject(body) || body.method !== "tools/call" || !isObject(body.params)) return undefined;
    const args = body.params.arguments;
    if (!isObject(args)) return undefined;
    const credential = args[RUN_CREDENTIAL_ARG];
    delete args[RUN_CREDENTIAL_ARG];
    if (typeof credential !== "string") return undefined;
    const slash = credential.lastIndexOf("/");
    return slash > 0 ? authenticate(credential.slice(0, slash), credential.slice(slash + 1)) : undefined;
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

const NO_RUN =
  "refused: this call is not attributed to a running Flotilla run (on the shared endpoint, every call carries its run's credential)";

function buildServer(
  deps: McpDeps,
  run: RunRef | undefined,
  answerer: Answerer | undefined,
  signal: AbortSignal,
): McpServer {
  const server = new McpServer({ name: "flotilla", version: "0.1.0" });
  const text = (t: string, isError = false) => ({ content: [{ type: "text" as const, text: t }], isError });
  server.registerTool(
    "ask",
    {
      description:
        "Ask the orchestrator a question about the plan or your task. It answers from the plan's context when it can; otherwise the question is queued for a person: carry on with what you can, and their answer comes as your next message once you finish.",
      inputSchema: { question: z.string().min(1).max(4000) },
    },
    async ({ question }) => (run ? text(await ask(deps, run, question, answerer, signal)) : text(NO_RUN, true)),
  );
  server.registerTool(
    "report_progress",
    {
      description: "Report progress on your task (shown to the person watching).",
      inputSchema: { message: z.string().min(1).max(4000), percent: z.number().min(0).max(100).optional() },
    },
    ({ message, percent }) => (run ? text(reportProgress(deps, run, message, percent)) : text(NO_RUN, true)),
  );
  server.registerTool(
    "claim_files",
    {
      description:
        "Ask for a write lease on more paths (globs). Granted when no other running task may write them; refused naming the holder.",
      inputSchema: { paths: z.array(z.string().min(1).max(1000)).min(1).max(100) },
    },
    ({ paths }) => {
      if (!run) return text(NO_RUN, true);
      const result = claimFiles(deps, run, paths);
      return result.granted
        ? text(`granted: your write lease now covers ${result.globs.join(", ")}`)
        : text(`refused: ${result.reason}`, true);
    },
  );
  return server;
}

/** A path segment decoded; a malformed escape stays as it is (and so matches no run). */
function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
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
