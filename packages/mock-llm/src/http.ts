import type { ServerResponse } from "node:http";

/** Small HTTP helpers shared by the response writers. */

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function startSse(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
}

/** One server-sent event: `event: NAME` (when named) and one `data:` line of JSON (or a raw string). */
export function sse(res: ServerResponse, event: string | undefined, data: unknown): void {
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  res.write(`${event ? `event: ${event}\n` : ""}data: ${payload}\n\n`);
}

/** Splits a string into pieces of at most `size` characters (at least one piece, maybe empty). */
export function pieces(text: string, size = 24): string[] {
  if (text === "") return [""];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** Seconds since the epoch, as the APIs' `created` fields have them; fixed so answers are reproducible. */
export const CREATED = 1_700_000_000;
