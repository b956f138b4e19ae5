import { ExponentialBackoff, halfJitterGenerator, type IBackoff } from "cockatiel";

export interface BackoffOptions {
  /** The first delay's upper bound, in ms; each next one doubles, up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
}

/**
 * The backoff between retries: exponential (×2 per attempt, capped) with half jitter — the n-th
 * delay (0-based) is drawn from [d/2, d] where d = min(maxBackoffMs, backoffMs·2ⁿ), so delays
 * grow while retries of tasks that failed together spread out.
 */
export function createBackoff(options: BackoffOptions): ExponentialBackoff<number> {
  return new ExponentialBackoff({
    generator: halfJitterGenerator,
    initialDelay: options.backoffMs,
    maxDelay: Math.max(options.backoffMs, options.maxBackoffMs),
  });
}

/** The bounds the n-th delay (0-based) falls in. */
export function delayBounds(attempt: number, options: BackoffOptions): { min: number; max: number } {
  const cap = Math.max(options.backoffMs, options.maxBackoffMs);
  const max = Math.min(cap, options.backoffMs * 2 ** attempt);
  return { min: Math.floor(max / 2), max };
}

/** The first `count` delays one backoff would give (for tests and the docs). */
export function sampleDelays(options: BackoffOptions, count: number): number[] {
  const delays: number[] = [];
  let backoff: IBackoff<unknown> | undefined;
  for (let i = 0; i < count; i++) {
    backoff = backoff ? backoff.next(undefined) : createBackoff(options).next();
    delays.push(backoff.duration);
  }
  return delays;
}
