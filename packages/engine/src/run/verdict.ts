export interface Verdict {
  verdict: "approve" | "request_changes";
  comments: string[];
}

/**
 * Reads a reviewer's verdict from its last message: a JSON object, possibly in a ```json fence
 * or after some prose. Returns the problem as a string when there is none.
 */
export function parseVerdict(text: string | undefined): Verdict | string {
  if (text === undefined || text.trim() === "") return "the reviewer said nothing";
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text)?.[1];
  const candidate = fenced ?? text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1);
  let value: unknown;
  try {
    value = JSON.parse(candidate);
  } catch {
    return `the reviewer's answer is not JSON: ${text.slice(0, 200)}`;
  }
  if (typeof value !== "object" || value === null) return "the reviewer's answer is not a JSON object";
  const v = value as { verdict?: unknown; comments?: unknown };
  if (v.verdict !== "approve" && v.verdict !== "request_changes") return `unknown verdict ${JSON.stringify(v.verdict)}`;
  const comments = Array.isArray(v.comments) ? v.comments.filter((c): c is string => typeof c === "string") : [];
  return { verdict: v.verdict, comments };
}
