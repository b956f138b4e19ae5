/**
 * Whether an agent's failure looks transient — the provider was rate-limited, overloaded, had a
 * server error, or the network dropped — and so is worth retrying, or permanent (the agent's own
 * failure, a bad config, a refused request), which a retry would only repeat. Pure: it reads the
 * failure's reason text only.
 */
export type FailureKind = "transient" | "permanent";

const TRANSIENT_PATTERNS: readonly RegExp[] = [
  /\b429\b/,
  /rate[\s_-]?limit/i,
  /too many requests/i,
  /\boverloaded\b/i,
  /\b5\d\d\b(?![\s\d]*(?:bytes|lines|ms|tokens))/,
  /\b5xx\b/i,
  /internal server error/i,
  /bad gateway/i,
  /service unavailable/i,
  /gateway time-?out/i,
  /\bECONNRESET\b/,
  /\bECONNREFUSED\b/,
  /\bETIMEDOUT\b/,
  /\bEAI_AGAIN\b/,
  /\bENOTFOUND\b/,
  /\bEPIPE\b/,
  /socket hang up/i,
  /network (?:error|is unreachable)/i,
  /fetch failed/i,
  /connection (?:reset|refused|closed|error)/i,
  /timed? ?out while (?:connecting|waiting for the (?:server|api))/i,
  /temporarily unavailable/i,
  /try again later/i,
];

/** Reasons that name a permanent cause win over a transient-looking number in the same text. */
const PERMANENT_PATTERNS: readonly RegExp[] = [
  /\b(?:401|403)\b/,
  /unauthori[sz]ed/i,
  /invalid api key/i,
  /authentication/i,
  /quota exceeded|insufficient[_ ]quota|billing/i,
];

export function classifyFailure(reason: string): FailureKind {
  if (PERMANENT_PATTERNS.some((p) => p.test(reason))) return "permanent";
  return TRANSIENT_PATTERNS.some((p) => p.test(reason)) ? "transient" : "permanent";
}

export function isTransientFailure(reason: string): boolean {
  return classifyFailure(reason) === "transient";
}
