export { classifyFailure, isTransientFailure, type FailureKind } from "./classify.js";
export { createBackoff, delayBounds, sampleDelays, type BackoffOptions } from "./backoff.js";
export {
  createBreakerRegistry,
  type BreakerOptions,
  type BreakerRegistry,
  type BreakerState,
  type ProviderBreaker,
} from "./breakers.js";
export { breakersFor, isTransientOutcome, resilientTurn, useBreakers } from "./turn-policy.js";
