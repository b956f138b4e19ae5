import type { AgentEvent } from "@flotilla/protocol";
import { sweepMarker } from "../../process/index.js";
import { decideOutcome, newObservation, observeEvent } from "../turn-outcome.js";
import type { AgentTurn, AgentTurnInput, AgentTurnResult } from "../types.js";
import { createOpencodeEventMapper, errorText, type OpencodeEvent } from "./opencode-events.js";
import { runCredential } from "../../mcp/index.js";
import { clearSessionMarker, setSessionCredential, setSessionMarker } from "./opencode-markers.js";
import type { OpencodeServer, RunningServer } from "./opencode-server.js";

export interface OpencodeTurnDeps {
  server: OpencodeServer;
  command: string;
  graceMs: number;
}

type Ending = { kind: "idle" } | { kind: "failed"; reason: string } | { kind: "cancelled" };

/**
 * One turn on the shared server: the session (created, or the follow-up's), the turn's marker
 * for the session's tool processes, an `/event` subscription for the worktree's directory,
 * `promptAsync` once the stream is connected, and the events mapped until `session.idle`.
 * The turn's pid is the server's. cancel(): `session.abort` (OpenCode kills the tool's process
 * group), then a sweep of the turn's marker.
 */
export function startOpencodeTurn(deps: OpencodeTurnDeps, input: AgentTurnInput, sessionId?: string): AgentTurn {
  const obs = newObservation(sessionId);
  const stream = new AbortController();
  let end: (e: Ending) => void = () => undefined;
  const ended = new Promise<Ending>((resolve) => (end = resolve));
  let server: RunningServer | undefined;
  let sid = sessionId;
  let cancelling: Promise<void> | undefined;
  let settled = false;

  const emit = (event: AgentEvent): void => {
    observeEvent(obs, event);
    try {
      input.onEvent(event);
    } catch {
      // the listener's bug; the turn carries on
    }
  };

  async function run(): Promise<AgentTurnResult> {
    server = await deps.server.ensure({
      command: deps.command,
      args: input.args,
      env: input.env,
      ...(input.mcpUrl !== undefined ? { mcpUrl: input.mcpUrl } : {}),
      onOutput: () => undefined, // the server outlives the turn; its log is not this turn's output
    });
    void server.exited.then(() => end({ kind: "failed", reason: "the opencode server exited during the turn" }));
    const client = server.client(input.cwd);
    if (sid === undefined) {
      const created = await client.session.create({ directory: input.cwd, title: `flotilla ${input.taskId}` });
      if (!created.data) return failed(`opencode could not create a session: ${errorText(created.error)}`);
      sid = created.data.id;
    }
    const sessionID = sid;
    emit({ type: "session", sessionId: sessionID });
    setSessionMarker(deps.server.markersDir, sessionID, input.marker);
    // Flotilla's MCP tools called from this session are this run's (the plugin adds the credential).
    const credential = input.mcpUrl !== undefined ? runCredential(input.mcpUrl) : undefined;
    if (credential !== undefined) setSessionCredential(deps.server.markersDir, sessionID, credential);
    if (obs.cancelled) return finish({ kind: "cancelled" });

    const mapper = createOpencodeEventMapper(sessionID, input.cwd);
    let prompted = false;
    let busy = false;
    let selfAborted = false;
    const prompt = async (): Promise<void> => {
      const model = splitModel(input.model);
      const res = await client.session.promptAsync({
        sessionID,
        directory: input.cwd,
        parts: [{ type: "text", text: input.prompt }],
        ...(input.systemPrompt !== undefined ? { system: input.systemPrompt } : {}),
        ...(model ? { model } : {}),
      });
      if (res.error !== undefined || (res.response.status >= 400 && res.response.status !== 404))
        end({ kind: "failed", reason: `opencode refused the prompt: ${errorText(res.error)}` });
      else if (res.response.status === 404) end({ kind: "failed", reason: `opencode has no session ${sessionID}` });
    };
    const sub = await client.event.subscribe(
      { directory: input.cwd },
      { signal: stream.signal, sseMaxRetryAttempts: 1, onSseError: () => undefined },
    );
    void (async () => {
      for await (const raw of sub.stream) {
        const event = raw as unknown as OpencodeEvent;
        if (!prompted && event.type === "server.connected") {
          prompted = true;
          prompt().catch((e: unknown) => end({ kind: "failed", reason: `opencode prompt failed: ${String(e)}` }));
          continue;
        }
        if (!prompted) continue;
        const mapped = mapper.map(event);
        if (mapped.events.length > 0 || isBusy(event, sessionID)) busy = true;
        for (const e of mapped.events) emit(e);
        if (mapped.error !== undefined && !selfAborted && !obs.cancelled) obs.failedReason ??= mapped.error;
        if (mapped.permissionId !== undefined && !selfAborted) {
          // A person must answer: stop the session here; the turn ends as needs_input.
          selfAborted = true;
          void client.session.abort({ sessionID, directory: input.cwd }).catch(() => undefined);
        }
        if (mapped.idle === true && busy) {
          if (obs.failedReason === undefined && obs.question === undefined) for (const e of mapper.finish()) emit(e);
          end({ kind: "idle" });
          return;
        }
      }
      end({ kind: "failed", reason: "the opencode event stream ended before the session went idle" });
    })().catch((e: unknown) => end({ kind: "failed", reason: `the opencode event stream failed: ${String(e)}` }));
    return finish(await ended);
  }

  function finish(ending: Ending): AgentTurnResult {
    if (ending.kind === "failed" && !obs.cancelled) obs.failedReason ??= ending.reason;
    return decideOutcome(obs, { code: 0, signal: null });
  }

  function failed(reason: string): AgentTurnResult {
    return finish({ kind: "failed", reason });
  }

  const result: Promise<AgentTurnResult> = run()
    .catch((e: unknown) => failed(`opencode: ${e instanceof Error ? e.message : String(e)}`))
    .then((r) => {
      settled = true;
      stream.abort();
      if (sid !== undefined) clearSessionMarker(deps.server.markersDir, sid);
      return r;
    });

  return {
    get pid() {
      return server?.pid ?? deps.server.pid ?? -1;
    },
    marker: input.marker,
    result,
    cancel(graceMs?: number): Promise<void> {
      if (settled) return Promise.resolve();
      cancelling ??= (async () => {
        obs.cancelled = true;
        if (server?.alive() === true && sid !== undefined) {
          await server
            .client(input.cwd)
            .session.abort(
              { sessionID: sid, directory: input.cwd },
              { signal: AbortSignal.timeout(graceMs ?? deps.graceMs) },
            )
            .catch(() => undefined);
        }
        await sweepMarker(input.marker, graceMs ?? deps.graceMs);
        end({ kind: "cancelled" });
        await result;
      })();
      return cancelling;
    },
  };
}

function isBusy(event: OpencodeEvent, sessionID: string): boolean {
  const p = event.properties ?? {};
  const status = p.status as { type?: unknown } | undefined;
  return event.type === "session.status" && p.sessionID === sessionID && status?.type === "busy";
}

/** `provider/model` → the prompt's model; anything else is left to OpenCode's config. */
function splitModel(model: string | undefined): { providerID: string; modelID: string } | undefined {
  const i = model?.indexOf("/") ?? -1;
  if (model === undefined || i <= 0 || i === model.length - 1) return undefined;
  return { providerID: model.slice(0, i), modelID: model.slice(i + 1) };
}
