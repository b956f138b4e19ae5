import type { Db } from "./database.js";

/** Small key/value facts, such as the selected project. */
export function createMetaTable(db: Db) {
  return {
    get(key: string): string | undefined {
      const r = db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined;
      return r?.value;
    },
    set(key: string, value: string): void {
      db.prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      ).run(key, value);
    },
    delete(key: string): void {
      db.prepare("DELETE FROM meta WHERE key = ?").run(key);
    },
  };
}
export type MetaTable = ReturnType<typeof createMetaTable>;
