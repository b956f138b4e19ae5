import { createHash, randomBytes } from "node:crypto";

/** How long a login link works: long enough to click, short enough not to matter in scrollback. */
export const LOGIN_CODE_TTL_MS = 5 * 60_000;
/** Codes minted and not yet used, at most (the oldest goes first). */
const MAX_OUTSTANDING = 32;

export interface LoginCodes {
  /** A fresh one-time code (32 random bytes, base64url; not the token, not derived from it). */
  mint(): { code: string; expiresAt: Date };
  /** True once for a code that was minted here and has not expired; it is gone afterwards. */
  consume(code: string | undefined): boolean;
}

/**
 * One-time login codes for the web UI, held in memory only (a restart forgets them): each
 * works once, within `ttlMs`. Stored as hashes, so not even a heap dump holds a usable code.
 */
export function createLoginCodes(options: { ttlMs?: number; now?: () => number } = {}): LoginCodes {
  const ttlMs = options.ttlMs ?? LOGIN_CODE_TTL_MS;
  const now = options.now ?? Date.now;
  const codes = new Map<string, number>(); // hash → expires at (ms); insertion order = age
  const hash = (code: string) => createHash("sha256").update(code).digest("hex");
  const purge = () => {
    const t = now();
    for (const [h, expires] of codes) if (expires <= t) codes.delete(h);
  };
  return {
    mint() {
      purge();
      while (codes.size >= MAX_OUTSTANDING) codes.delete(codes.keys().next().value!);
      const code = randomBytes(32).toString("base64url");
      const expiresAt = now() + ttlMs;
      codes.set(hash(code), expiresAt);
      return { code, expiresAt: new Date(expiresAt) };
    },
    consume(code) {
      if (code === undefined || !/^[A-Za-z0-9_-]{43}$/.test(code)) return false;
      const h = hash(code);
      const expires = codes.get(h);
      codes.delete(h);
      return expires !== undefined && expires > now();
    },
  };
}
