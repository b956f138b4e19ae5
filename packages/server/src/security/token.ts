import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { FlotillaError } from "@flotilla/protocol";

/** A new token: 32 random bytes, base64url. */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The server's token from `file`, created on first use (0600, exclusive create, so two servers
 * starting at once agree on one). A file others can read is tightened to 0600.
 */
export function ensureToken(file: string): string {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  try {
    const fd = openSync(file, "wx", 0o600);
    try {
      writeSync(fd, newToken() + "\n");
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  const token = readFileSync(file, "utf8").trim();
  if (token.length < 32) {
    throw new FlotillaError(
      "config_invalid",
      `the token in ${file} is too short (at least 32 characters); delete it to get a new one`,
      {
        file,
      },
    );
  }
  return token;
}

/** Compares a presented token with the real one in constant time (hashes make the lengths equal). */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (presented === undefined || presented === "") return false;
  const a = createHash("sha256").update(presented).digest();
  const b = createHash("sha256").update(token).digest();
  return timingSafeEqual(a, b);
}
