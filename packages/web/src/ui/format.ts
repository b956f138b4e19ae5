/** Formatting for people, pure (the clock is passed in). */

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  const rs = Math.round(s % 60);
  if (m < 60) return rs > 0 ? `${m} m ${rs} s` : `${m} m`;
  const h = Math.floor(m / 60);
  const rm = m % 60;
  return rm > 0 ? `${h} h ${rm} m` : `${h} h`;
}

/** `$0.42`; a small cost keeps its digits (`$0.0031`) instead of showing `$0.00`. */
export function formatCost(usd: number): string {
  if (usd === 0) return "$0";
  if (usd < 0.01) return `$${usd.toPrecision(2)}`;
  return `$${usd.toFixed(2)}`;
}

export function formatTokens(n: number): string {
  if (n < 1000) return String(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 10_000 ? 1 : 0)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** `3 m ago`, from ISO `at` and the current time `now` (ms). */
export function formatAgo(at: string, now: number): string {
  const t = Date.parse(at);
  if (Number.isNaN(t)) return "";
  const d = Math.max(0, now - t);
  if (d < 5000) return "just now";
  if (d < 60_000) return `${Math.floor(d / 1000)} s ago`;
  if (d < 3_600_000) return `${Math.floor(d / 60_000)} m ago`;
  if (d < 86_400_000) return `${Math.floor(d / 3_600_000)} h ago`;
  return `${Math.floor(d / 86_400_000)} d ago`;
}

export function shortId(id: string): string {
  return id.length > 10 ? id.slice(-8) : id;
}

/** A tool's input as readable text: strings as they are, anything else as indented JSON. */
export function formatInput(input: unknown): string {
  if (input === undefined) return "";
  if (typeof input === "string") return input;
  try {
    return JSON.stringify(input, null, 2) ?? "";
  } catch {
    return "(unprintable input)";
  }
}
