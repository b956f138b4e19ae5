import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  IsolatedCircuitError,
  circuitBreaker,
  handleWhenResult,
  type CircuitBreakerPolicy,
} from "cockatiel";

export interface BreakerOptions {
  /** Consecutive transient failures of one provider that open its circuit. */
  threshold: number;
  /** How long an open circuit stays open before one run is let through as a probe. */
  cooldownMs: number;
}

export type BreakerState = "closed" | "open" | "half-open";

/** One provider's circuit breaker, with when its open circuit lets a probe through. */
export interface ProviderBreaker {
  readonly provider: string;
  readonly policy: CircuitBreakerPolicy;
  state(): BreakerState;
  /** When an open circuit lets the next run through as a probe; undefined unless open. */
  openUntil(): Date | undefined;
}

/** The process's circuit breakers, one per provider, shared by every task (created in engine.ts). */
export interface BreakerRegistry {
  get(provider: string, options: BreakerOptions): ProviderBreaker;
  states(): Record<string, BreakerState>;
}

/**
 * A breaker counts a turn result as a failure when `isFailure` says so (a transient provider
 * failure); anything else — success, or the agent's own permanent failure — shows the provider
 * answers and closes the count.
 */
export function createBreakerRegistry(isFailure: (result: unknown) => boolean): BreakerRegistry {
  const breakers = new Map<string, ProviderBreaker>();
  return {
    get(provider, options) {
      let found = breakers.get(provider);
      if (!found) {
        found = createProviderBreaker(provider, options, isFailure);
        breakers.set(provider, found);
      }
      return found;
    },
    states: () => Object.fromEntries([...breakers].map(([name, b]) => [name, b.state()])),
  };
}

function createProviderBreaker(
  provider: string,
  options: BreakerOptions,
  isFailure: (result: unknown) => boolean,
): ProviderBreaker {
  const policy = circuitBreaker(handleWhenResult(isFailure), {
    halfOpenAfter: options.cooldownMs,
    breaker: new ConsecutiveBreaker(options.threshold),
  });
  let openedAt = 0;
  policy.onBreak(() => (openedAt = Date.now()));
  return {
    provider,
    policy,
    state() {
      switch (policy.state) {
        case CircuitState.Closed:
          return "closed";
        case CircuitState.HalfOpen:
          return "half-open";
        default:
          return "open";
      }
    },
    openUntil() {
      if (policy.state !== CircuitState.Open) return undefined;
      return new Date(openedAt + options.cooldownMs);
    },
  };
}

export function isBrokenCircuit(err: unknown): boolean {
  return err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError;
}
