import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseTicketText } from "./read-ticket.js";
import type { Ticket } from "./ticket-schema.js";

export interface BacklogHandlers {
  /** A new or changed valid ticket; each (file, content) is delivered once. May be async. */
  onTicket(ticket: Ticket, file: string): void | Promise<void>;
  /** A file that cannot be read or is not a valid ticket (messages carry `file:line:col`). */
  onError(file: string, error: unknown): void;
}

/**
 * Remembers, per file, the content (by hash) last delivered and last rejected, so the same
 * content is never delivered twice and an invalid one is reported once; a changed file is
 * checked again. Called one file at a time.
 */
export function createBacklogTracker(handlers: BacklogHandlers) {
  const delivered = new Map<string, string>();
  const rejected = new Map<string, string>();

  function report(file: string, error: unknown): void {
    try {
      handlers.onError(file, error);
    } catch (err) {
      process.emitWarning(`backlog onError handler failed for ${file}: ${String(err)}`);
    }
  }

  async function check(file: string): Promise<void> {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "EISDIR") return forget(file);
      const key = `unreadable:${code ?? String(err)}`;
      if (rejected.get(file) !== key) report(file, err);
      rejected.set(file, key);
      return;
    }
    // An empty file is one still being written (or a placeholder): wait for content.
    if (text.trim() === "") return;
    const hash = createHash("sha256").update(text).digest("hex");
    if (delivered.get(file) === hash || rejected.get(file) === hash) return;
    let ticket: Ticket;
    try {
      ticket = parseTicketText(text, file);
    } catch (err) {
      rejected.set(file, hash);
      report(file, err);
      return;
    }
    rejected.delete(file);
    delivered.set(file, hash);
    try {
      await handlers.onTicket(ticket, file);
    } catch (err) {
      // Delivered is delivered: a consumer's failure is reported, not retried for this content.
      report(file, err);
    }
  }

  function forget(file: string): void {
    delivered.delete(file);
    rejected.delete(file);
  }

  return { check, forget, known: () => new Set([...delivered.keys(), ...rejected.keys()]) };
}
export type BacklogTracker = ReturnType<typeof createBacklogTracker>;
