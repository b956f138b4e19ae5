import type { Context } from "hono";
import { FlotillaError } from "@flotilla/protocol";

/**
 * A request's JSON body, unvalidated (the API operation validates it with its zod schema).
 * An empty body is `undefined`; text that is not JSON is a 400 that says where it broke.
 */
export async function jsonBody<T>(c: Context): Promise<T> {
  const text = await c.req.text();
  if (text.trim() === "") return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new FlotillaError("invalid_input", `malformed JSON body: ${why}`);
  }
}

/** A comma-separated query value as a list (`?status=failed,conflicted`). */
export function listQuery(value: string | undefined): string[] | undefined {
  if (value === undefined || value === "") return undefined;
  return value.split(",").filter((s) => s !== "");
}
