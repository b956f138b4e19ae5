import { isAbsolute, relative, sep } from "node:path";

/**
 * Lenient readers for the fields of a CLI's JSON events (Claude Code, Codex, …): a field of the
 * wrong type reads as missing, so a CLI that adds or changes fields degrades, never crashes.
 */
export type Json = Record<string, unknown>;

export function obj(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A non-negative integer (token counts) or a non-negative number (costs); anything else is missing. */
export function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The objects in an array (other elements skipped); not an array → none. */
export function arrayOf(value: unknown): Json[] {
  return Array.isArray(value) ? value.map(obj).filter((v): v is Json => v !== undefined) : [];
}

/** `path` relative to `cwd` when it lies inside it (as Flotilla's events name files), else as given. */
export function relativePath(cwd: string, path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(cwd, path);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel) ? rel : path;
}

/** The last `limit` characters of `text`, marked when cut. */
export function tail(text: string, limit: number): string {
  return text.length > limit ? `…${text.slice(text.length - limit)}` : text;
}
