import { ExponentialBackoff, handleWhenResult, retry, type IBackoff, type IBackoffFactory } from "cockatiel";
import type { Config } from "@flotilla/protocol";
import { resolveAgent } from "../config/index.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import type { TurnOutcome, TurnRequest } from "../run/agent-turn.js";
import { createBackoff } from "./backoff.js";
import { createBreakerRegistry, isBrokenCircuit, type BreakerRegistry, type ProviderBreaker } from "./breakers.js";
import { isTransientFailure } from "./classify.js";

const POLL_MS = 200;

type Execute = (deps: PipelineDeps, req: TurnRequest) => Promise<TurnOutcome>;

/** A turn that failed transiently (and was not stopped): retried, and counted by the provider's breaker. */
export function isTransientOutcome(value: unknown): boolean {
  const o = value as Partial<TurnOutcome> | undefined;
  return o?.stopped === undefined && o?.result?.outcome === "failed" && isTransientFailure(o.result.reason);
}

const registries = new WeakMap<object, BreakerRegistry>();

/** The breakers the engine created for these deps (engine.ts), or a registry of their own. */
export function breakersFor(deps: PipelineDeps): BreakerRegistry {
  let registry = registries.get(deps);
  if (!registry) {
    registry = createBreakerRegistry(isTransientOutcome);
    registries.set(deps, registry);
  }
  return registry;
}

/** Makes `registry` the one every run through `deps` shares (one per process: engine.ts). */
export function useBreakers(deps: PipelineDeps, registry: BreakerRegistry): void {
  registries.set(deps, registry);
}

/**
 * One agent turn with the resilience policy around it: while the provider's circuit is open the
 * task waits (and says why); a transient failure is retried with exponential backoff and jitter,
 * as a follow-up in the same session when there is one; every attempt goes through the
 * provider's circuit breaker. A permanent failure, a stop or a cancel is returned as it is.
 */
export async function resilientTurn(deps: PipelineDeps, req: TurnRequest, execute: Execute): Promise<TurnOutcome> {
  const config = deps.configFor(req.project);
  const settings = config.resilience;
  const breaker = breakersFor(deps).get(providerOf(config, req.agentName), {
    threshold: settings.breakerThreshold,
    cooldownMs: settings.breakerCooldownMs,
  });
  const backoff = new DeferredBackoff(createBackoff(settings));
  const policy = retry(handleWhenResult(isTransientOutcome), { maxAttempts: settings.retries, backoff });
  let last: TurnOutcome | undefined;
  policy.onRetry(({ attempt }) => {
    const reason = last?.result.outcome === "failed" ? last.result.reason : "a transient failure";
    note(
      deps,
      req.task.id,
      `retrying after a transient failure (${oneLine(reason)}): attempt ${attempt + 1} of ${settings.retries + 1} ` +
        `in ${(backoff.pending / 1000).toFixed(1)} s`,
    );
  });
  return policy.execute(async ({ attempt }) => {
    if (attempt > 0) await sleep(backoff.pending, req.shutdown);
    const attemptReq = attempt > 0 && last ? retryRequest(req, last) : req;
    for (;;) {
      const stopped = await waitWhileOpen(deps, req, breaker);
      if (stopped) return stopped;
      try {
        last = await breaker.policy.execute(() =>
          req.shutdown.aborted ? stoppedOutcome("shutdown") : execute(deps, attemptReq),
        );
        return last;
      } catch (err) {
        if (!isBrokenCircuit(err)) throw err;
        // Another task's failure opened the circuit, or a probe is out: wait for it.
      }
    }
  });
}

/** The retry: the next message in the failed turn's session when there is one, else the turn again. */
function retryRequest(req: TurnRequest, last: TurnOutcome): TurnRequest {
  const session = last.result.sessionId ?? req.followUpOf ?? req.resumeOf;
  const { followUpOf: _f, resumeOf: _r, ...rest } = req;
  if (session === undefined) return rest;
  const reason = last.result.outcome === "failed" ? oneLine(last.result.reason) : "a transient failure";
  const prompt =
    `Your last turn stopped on a transient error (${reason}). Carry on where you left off; ` +
    `the request was:\n\n${req.prompt}`;
  return { ...rest, followUpOf: session, prompt };
}

async function waitWhileOpen(
  deps: PipelineDeps,
  req: TurnRequest,
  breaker: ProviderBreaker,
): Promise<TurnOutcome | undefined> {
  let announced: string | undefined;
  for (;;) {
    const until = breaker.openUntil();
    if (until === undefined || until.getTime() <= Date.now()) return undefined;
    const text = `provider ${breaker.provider} is failing: circuit open until ${until.toTimeString().slice(0, 8)}`;
    if (text !== announced) note(deps, req.task.id, (announced = text));
    if (req.shutdown.aborted) return stoppedOutcome("shutdown");
    if (deps.store.read.tasks.isCancelRequested(req.task.id)) return stoppedOutcome("cancel");
    await sleep(Math.min(POLL_MS, until.getTime() - Date.now()), req.shutdown);
  }
}

function stoppedOutcome(stopped: "shutdown" | "cancel"): TurnOutcome {
  return { runId: "", result: { outcome: "cancelled", exitCode: null }, stopped };
}

/** Says on the task (and in its event log) what it waits for. */
function note(deps: PipelineDeps, taskId: string, reason: string): void {
  deps.store.write((ctx) => {
    ctx.tasks.patch(taskId, { waitingFor: reason }, ctx.now);
    ctx.emit({ type: "task.waiting", taskId, reason });
  });
}

function providerOf(config: Config, agentName: string): string {
  try {
    return resolveAgent(config, agentName).provider.name;
  } catch {
    return agentName; // an agent that does not resolve fails in executeTurn, with the reason
  }
}

function oneLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "") ?? text;
  return line.length > 160 ? `${line.slice(0, 157)}...` : line.trim();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Hands cockatiel a zero delay and keeps the real one (from the exponential, jittered backoff)
 * for the next attempt to sleep, so that Ctrl-C during a backoff stops at once: cockatiel's own
 * delay cannot be aborted.
 */
class DeferredBackoff implements IBackoffFactory<unknown> {
  pending = 0;
  private current: IBackoff<unknown> | undefined;
  constructor(private readonly source: ExponentialBackoff<number>) {}
  next(context: unknown): IBackoff<unknown> {
    this.current = this.current ? this.current.next(context) : this.source.next();
    this.pending = this.current.duration;
    return { duration: 0, next: (c: unknown) => this.next(c) };
  }
}
