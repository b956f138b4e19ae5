import type { Db } from "./database.js";

/** A provider's key as stored: sealed (secrets/envelope.ts), never the secret itself. */
export interface SealedSecret {
  provider: string;
  envVar: string;
  /** What may be shown (secrets/mask.ts). */
  masked: string;
  /** The fingerprint of the master key that wrapped it. */
  masterKeyId: string;
  wrappedKey: Buffer;
  ciphertext: Buffer;
  createdAt: string;
  updatedAt: string;
}

/** A stored key without its sealed parts: what listing needs. */
export type SecretInfo = Omit<SealedSecret, "wrappedKey" | "ciphertext" | "masterKeyId">;

interface SecretRow {
  provider: string;
  env_var: string;
  masked: string;
  master_key_id: string;
  wrapped_key: Buffer;
  ciphertext: Buffer;
  created_at: string;
  updated_at: string;
}

const toSealed = (r: SecretRow): SealedSecret => ({
  provider: r.provider,
  envVar: r.env_var,
  masked: r.masked,
  masterKeyId: r.master_key_id,
  wrappedKey: r.wrapped_key,
  ciphertext: r.ciphertext,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * Provider keys, envelope-encrypted. A rotation replaces the row's sealed parts in place and a
 * removal deletes the row, both with SQLite's secure_delete on, so the old bytes are zeroed in
 * the database file rather than left in a free page.
 */
export function createSecretsTable(db: Db) {
  const securely = <T>(fn: () => T): T => {
    const before = db.pragma("secure_delete", { simple: true }) as number;
    db.pragma("secure_delete = ON");
    try {
      return fn();
    } finally {
      if (before !== 1) db.pragma(`secure_delete = ${before === 2 ? "FAST" : "OFF"}`);
    }
  };
  return {
    list(): SecretInfo[] {
      return (
        db
          .prepare("SELECT provider, env_var, masked, created_at, updated_at FROM secrets ORDER BY provider")
          .all() as SecretRow[]
      ).map((r) => ({
        provider: r.provider,
        envVar: r.env_var,
        masked: r.masked,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      }));
    },
    get(provider: string): SealedSecret | undefined {
      const r = db.prepare("SELECT * FROM secrets WHERE provider = ?").get(provider) as SecretRow | undefined;
      return r && toSealed(r);
    },
    /** Adds or replaces (keeping when it was first added). */
    put(s: Omit<SealedSecret, "createdAt"> & { createdAt?: string }): void {
      securely(() =>
        db
          .prepare(
            `INSERT INTO secrets (provider, env_var, masked, master_key_id, wrapped_key, ciphertext, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT(provider) DO UPDATE SET env_var = excluded.env_var, masked = excluded.masked,
               master_key_id = excluded.master_key_id, wrapped_key = excluded.wrapped_key,
               ciphertext = excluded.ciphertext, updated_at = excluded.updated_at`,
          )
          .run(
            s.provider,
            s.envVar,
            s.masked,
            s.masterKeyId,
            s.wrappedKey,
            s.ciphertext,
            s.createdAt ?? s.updatedAt,
            s.updatedAt,
          ),
      );
    },
    delete(provider: string): boolean {
      return securely(() => db.prepare("DELETE FROM secrets WHERE provider = ?").run(provider).changes > 0);
    },
    /**
     * After a rotation or removal (outside any transaction): moves the WAL into the database
     * and truncates it, so the old sealed bytes do not linger in WAL frames either. Best effort:
     * a reader in another process may hold the WAL; the next checkpoint then finishes the job.
     */
    flushOld(): void {
      db.pragma("wal_checkpoint(TRUNCATE)");
    },
  };
}
export type SecretsTable = ReturnType<typeof createSecretsTable>;
