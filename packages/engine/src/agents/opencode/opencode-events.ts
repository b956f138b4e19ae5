import { isAbsolute, relative } from "node:path";
import type { AgentEvent } from "@flotilla/protocol";
import { RUN_CREDENTIAL_ARG } from "../../mcp/index.js";

/** One `/event` SSE item, loosely typed: the server (1.18) and the SDK types (1.19) differ a little. */
export interface OpencodeEvent {
  type: string;
  properties?: Record<string, unknown>;
}

/** What one event means for the turn, besides the normalized events it yields. */
export interface MappedEvent {
  events: AgentEvent[];
  /** `session.idle` (or `session.status` idle): the turn is over. */
  idle?: boolean;
  /** `session.error`: why the turn failed. */
  error?: string;
  /** A permission ask (its request id), which Flotilla answers by ending the turn as needs_input. */
  permissionId?: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === "object" && v !== null ? (v as Obj) : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.round(v) : 0);

const FILE_TOOLS: Record<string, "write" | "edit"> = { write: "write", edit: "edit", multiedit: "edit" };

/**
 * Maps OpenCode's `/event` stream for ONE session into normalized AgentEvents. Parts are sent
 * again on every update, so each is reported once: a text part when it has ended (or at idle),
 * a tool call when it first runs, its result when it completes or errors, a step's usage when
 * the step finishes. Events of other sessions (the server is shared) yield nothing.
 */
export function createOpencodeEventMapper(sessionId: string, cwd: string) {
  const seen = new Set<string>();
  const pendingText = new Map<string, string>();
  let lastText: string | undefined;

  const once = (key: string): boolean => (seen.has(key) ? false : (seen.add(key), true));
  const rel = (path: string): string => (isAbsolute(path) ? relative(cwd, path) || path : path);

  function text(id: string, value: string, ended: boolean): AgentEvent[] {
    if (value.trim() === "" || seen.has(`text:${id}`)) return [];
    if (!ended) {
      pendingText.set(id, value);
      return [];
    }
    pendingText.delete(id);
    seen.add(`text:${id}`);
    lastText = value;
    return [{ type: "message", text: value }];
  }

  function tool(part: Obj): AgentEvent[] {
    const id = str(part.callID) ?? str(part.id) ?? "";
    const name = str(part.tool) ?? "tool";
    const state = obj(part.state) ?? {};
    const status = str(state.status);
    const input = withoutCredential(obj(state.input));
    const out: AgentEvent[] = [];
    if (status !== "pending" && once(`call:${id}`)) out.push({ type: "tool_call", id, name, input });
    if ((status === "completed" || status === "error") && once(`result:${id}`)) {
      const isError = status === "error";
      const output = isError ? (str(state.error) ?? "") : (str(state.output) ?? "");
      const exit = obj(state.metadata)?.exit;
      out.push({
        type: "tool_result",
        id,
        name,
        output,
        isError,
        ...(typeof exit === "number" && Number.isInteger(exit) ? { exitCode: exit } : {}),
      });
      const kind = FILE_TOOLS[name];
      const path = str(input?.filePath);
      if (!isError && kind !== undefined && path !== undefined && once(`file:${rel(path)}:${id}`))
        out.push({ type: "file_change", path: rel(path), kind });
    }
    return out;
  }

  function part(p: Obj): AgentEvent[] {
    const id = str(p.id) ?? "";
    switch (p.type) {
      case "text":
        if (p.synthetic === true) return [];
        return text(id, str(p.text) ?? "", obj(p.time)?.end !== undefined);
      case "tool":
        return tool(p);
      case "step-finish": {
        if (!once(`step:${id}`)) return [];
        const tokens = obj(p.tokens) ?? {};
        const cache = obj(tokens.cache) ?? {};
        const cost = typeof p.cost === "number" && p.cost > 0 ? p.cost : 0;
        return [
          {
            type: "usage",
            inputTokens: num(tokens.input) + num(cache.read) + num(cache.write),
            outputTokens: num(tokens.output) + num(tokens.reasoning),
            costUsd: cost,
          },
        ];
      }
      default:
        return [];
    }
  }

  /** Whatever text is still open, then `done` with the last message as its summary. */
  function finish(): AgentEvent[] {
    const out: AgentEvent[] = [];
    for (const [id, value] of [...pendingText]) out.push(...text(id, value, true));
    out.push({ type: "done", ...(lastText !== undefined ? { summary: lastText } : {}) });
    return out;
  }

  function map(event: OpencodeEvent): MappedEvent {
    const props = event.properties ?? {};
    const partObj = obj(props.part);
    const sid = str(props.sessionID) ?? str(partObj?.sessionID) ?? str(obj(props.info)?.sessionID);
    if (sid !== sessionId) return { events: [] };
    switch (event.type) {
      case "message.part.updated":
        return { events: partObj ? part(partObj) : [] };
      case "session.idle":
        return { events: [], idle: true };
      case "session.status":
        return { events: [], idle: obj(props.status)?.type === "idle" };
      case "session.error":
        return { events: [], error: errorText(props.error) };
      case "permission.asked": {
        const id = str(props.id) ?? "permission";
        const patterns = Array.isArray(props.patterns) ? props.patterns : [];
        const input = { patterns, ...(obj(props.metadata) ?? {}) };
        return {
          events: [{ type: "permission_request", id, tool: str(props.permission) ?? "tool", input }],
          permissionId: id,
        };
      }
      default:
        return { events: [] };
    }
  }

  return { map, finish };
}

/** A tool's input without the run credential Flotilla's plugin adds to its MCP calls (never stored). */
function withoutCredential(input: Obj | undefined): Obj | undefined {
  if (input === undefined || !(RUN_CREDENTIAL_ARG in input)) return input;
  const { [RUN_CREDENTIAL_ARG]: _credential, ...rest } = input;
  return rest;
}

/** A readable reason from OpenCode's error object ({ name, data: { message } }). */
export function errorText(error: unknown): string {
  const e = obj(error);
  if (!e) return "opencode reported a session error";
  const message = str(obj(e.data)?.message) ?? str(e.message);
  const name = str(e.name) ?? "error";
  return message !== undefined && message.trim() !== "" ? `${name}: ${message}` : name;
}
