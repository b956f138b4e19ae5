import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { isIP } from "node:net";
import { isCompiledScript, type MockScript, type ScriptInput } from "./script.js";
import { compileScript, parseScript } from "./script-load.js";
import { sendJson } from "./http.js";
import { parseAnthropic, parseChat, parseResponses } from "./parse.js";
import { select, usageFor } from "./select.js";
import { namespacedName } from "./tools.js";
import type { Answer, ApiKind, ParsedRequest, RecordedRequest, ToolCall } from "./types.js";
import { anthropicError, writeAnthropic } from "./write-anthropic.js";
import { openaiError, writeChat } from "./write-chat.js";
import { writeResponses } from "./write-responses.js";

export interface MockLlmOptions {
  /** The script: a value (parsed YAML/JSON, or written in code), its text (YAML or JSON), or a loaded script. */
  script: ScriptInput | MockScript | string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** A loopback address only: 127.0.0.1 (the default), another 127.x.y.z, ::1 or localhost. */
  host?: string;
  /** Called with one line per request. */
  log?: (line: string) => void;
}

export interface MockLlm {
  /** `http://127.0.0.1:PORT` (no `/v1`). */
  url: string;
  port: number;
  host: string;
  /** Every request served, in arrival order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024 * 1024;

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h === "::1") return true;
  return isIP(h) === 4 && h.startsWith("127.");
}

const APIS: Record<string, ApiKind> = {
  "/messages": "anthropic",
  "/chat/completions": "chat",
  "/responses": "responses",
};
const PARSERS = { anthropic: parseAnthropic, chat: parseChat, responses: parseResponses } as const;
const WRITERS = { anthropic: writeAnthropic, chat: writeChat, responses: writeResponses } as const;

export async function startMockLlm(options: MockLlmOptions): Promise<MockLlm> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopback(host)) {
    throw new Error(`mock-llm listens on a loopback address only (127.0.0.1, ::1, localhost), not "${host}"`);
  }
  const { script: given } = options;
  const script = isCompiledScript(given)
    ? given
    : typeof given === "string"
      ? parseScript(given)
      : compileScript(given);
  const requests: RecordedRequest[] = [];
  const errorsServed = new Map<string, number>();
  const log = options.log;

  async function serveModel(api: ApiKind, body: unknown, size: number, rec: RecordedRequest, res: ServerResponse) {
    const req: ParsedRequest = PARSERS[api](body as Record<string, unknown>, size);
    const sel = select(script, req);
    Object.assign(rec, { api, model: req.model, stream: req.stream, tools: req.tools.map((t) => t.name) });
    Object.assign(rec, { step: sel.step, lastUserText: sel.lastUserText });
    if (sel.rule !== undefined) rec.rule = sel.rule;
    if (sel.cwd !== undefined) rec.cwd = sel.cwd;
    if (sel.lastToolResult !== undefined) rec.lastToolResult = sel.lastToolResult.slice(0, 4000);
    for (const p of sel.prelude) {
      if (p.kind === "sleep") {
        await sleep(p.ms, res);
        if (res.destroyed) return;
        continue;
      }
      const served = errorsServed.get(p.key) ?? 0;
      if (p.times !== undefined && served >= p.times) continue;
      errorsServed.set(p.key, served + 1);
      rec.served = { kind: "error" };
      const headers: Record<string, string> =
        p.retryAfterMs !== undefined
          ? { "retry-after-ms": String(p.retryAfterMs), "retry-after": String(Math.ceil(p.retryAfterMs / 1000)) }
          : {};
      sendError(res, api, p.status, p.message, headers);
      return;
    }
    const { reply } = sel;
    rec.served =
      reply.kind === "text"
        ? { kind: "text", text: reply.text }
        : { kind: "tool", name: servedName(reply.call), input: reply.call.input };
    const answer: Answer = { id: sel.id, model: req.model, reply, usage: usageFor(req, reply) };
    WRITERS[api](res, answer, req.stream);
  }

  async function route(req: IncomingMessage, res: ServerResponse, rec: RecordedRequest): Promise<void> {
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0]!;
    const rel = path.replace(/^\/v1(?=\/|$)/, "") || "/";
    if ((method === "HEAD" || method === "GET") && (rel === "/" || rel === "/health")) {
      return sendJson(res, 200, { ok: true, name: "flotilla mock-llm" });
    }
    if (method === "GET" && rel === "/models") return sendJson(res, 200, modelList(script.models));
    const api = APIS[rel] ?? (rel === "/messages/count_tokens" ? "anthropic" : undefined);
    if (method !== "POST" || api === undefined) {
      return sendError(res, api ?? "chat", 404, `mock-llm: no route for ${method} ${path}`);
    }
    const text = await readBody(req);
    if (text === undefined) return sendError(res, api, 413, "mock-llm: request body too large");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return sendError(res, api, 400, "mock-llm: the request body is not JSON");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return sendError(res, api, 400, "mock-llm: the request body is not a JSON object");
    }
    if (rel === "/messages/count_tokens") {
      return sendJson(res, 200, { input_tokens: Math.max(1, Math.ceil(text.length / 4)) });
    }
    await serveModel(api, body, text.length, rec, res);
  }

  const server = createServer((req, res) => {
    const rec: RecordedRequest = { method: req.method ?? "GET", path: req.url ?? "/", status: 0 };
    requests.push(rec);
    route(req, res, rec)
      .catch((err: unknown) => {
        if (!res.headersSent) sendError(res, rec.api ?? "chat", 500, `mock-llm: ${(err as Error).message}`);
        else res.destroy();
      })
      .finally(() => {
        rec.status = res.statusCode;
        log?.(describe(rec));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const shown = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}`,
    port,
    host,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A call's name as a script gives it: a namespace's child by its full name. */
function servedName(call: ToolCall): string {
  return call.kind === "function" && call.namespace !== undefined
    ? namespacedName(call.namespace, call.name)
    : call.name;
}

function sendError(
  res: ServerResponse,
  api: ApiKind,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, api === "anthropic" ? anthropicError(status, message) : openaiError(status, message), headers);
}

/** One list that reads as both an OpenAI and an Anthropic model list. */
function modelList(models: readonly string[]) {
  const data = models.map((id) => ({
    id,
    object: "model",
    type: "model",
    display_name: id,
    created: 1_700_000_000,
    created_at: "2023-11-14T22:13:20Z",
    owned_by: "mock-llm",
  }));
  return { object: "list", data, has_more: false, first_id: models[0] ?? null, last_id: models.at(-1) ?? null };
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Waits `ms`, or less if the client goes away. */
function sleep(ms: number, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      res.off("close", done);
      resolve();
    }
    res.once("close", done);
  });
}

function describe(r: RecordedRequest): string {
  const parts = [`${r.method} ${r.path} → ${r.status}`];
  if (r.api)
    parts.push(`${r.api}${r.stream ? " stream" : ""} model=${r.model} rule=${r.rule ?? "none"} step=${r.step}`);
  const s = r.served;
  if (s?.kind === "text")
    parts.push(`text ${JSON.stringify(s.text.length > 80 ? `${s.text.slice(0, 77)}...` : s.text)}`);
  if (s?.kind === "tool") parts.push(`tool ${s.name}`);
  if (s?.kind === "error") parts.push("scripted error");
  return parts.join(" ");
}
