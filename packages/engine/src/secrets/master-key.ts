import { createHash, randomBytes } from "node:crypto";
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { FlotillaError } from "@flotilla/protocol";

/** The master key's file name in $FLOTILLA_HOME. */
export const MASTER_KEY_FILE = "master.key";
const KEY_BYTES = 32;

export interface MasterKey {
  readonly key: Buffer;
  /** A fingerprint stored with each secret, to tell a replaced master key from a damaged secret. */
  readonly id: string;
}

/**
 * The master key that wraps every secret's data key: 32 random bytes in a 0600 file, created on
 * first use (exclusive create, so two processes agree on one). A file that others may read or
 * write, that is not a plain file, or that this user does not own is refused, never "fixed":
 * whoever could read it could have copied it.
 */
export function loadMasterKey(file: string, options: { create: boolean }): MasterKey {
  if (options.create) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    try {
      const fd = openSync(file, "wx", 0o600);
      try {
        writeSync(fd, randomBytes(KEY_BYTES));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  let stat;
  try {
    stat = lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    throw new FlotillaError(
      "config_invalid",
      `the master key ${file} is missing, so the stored provider keys cannot be decrypted; set them again (flotilla keys set <provider>)`,
      { file },
    );
  }
  if (!stat.isFile()) {
    throw new FlotillaError("config_invalid", `the master key ${file} is not a regular file; refusing to use it`, {
      file,
    });
  }
  if ((stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, "0");
    throw new FlotillaError(
      "config_invalid",
      `the master key ${file} has mode ${mode}: other users may read it, so it is not used. If only you could ever read it, run \`chmod 600 ${file}\`; otherwise remove it and every stored key (flotilla keys rm) and set them again`,
      { file, mode },
    );
  }
  if (typeof process.getuid === "function" && stat.uid !== process.getuid()) {
    throw new FlotillaError("config_invalid", `the master key ${file} belongs to another user; refusing to use it`, {
      file,
    });
  }
  const key = readFileSync(file);
  if (key.length !== KEY_BYTES) {
    throw new FlotillaError(
      "config_invalid",
      `the master key ${file} is damaged (${key.length} bytes, not ${KEY_BYTES}); the stored provider keys cannot be decrypted`,
      { file },
    );
  }
  return { key, id: createHash("sha256").update("flotilla master key id\0").update(key).digest("hex").slice(0, 16) };
}
