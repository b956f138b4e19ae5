/** Prefixes that name a key's kind and hold nothing secret (`sk-ant-` is Anthropic's, `sk-` OpenAI's). */
const PUBLIC_PREFIXES = ["sk-ant-", "sk-proj-", "sk-"];

/**
 * A secret as it may be shown: a well-known public prefix, then at most the last 4 characters
 * (only when the rest is long enough that 4 give little away): `sk-…a1b2`, `…9f3c`, `…`.
 */
export function maskSecret(secret: string): string {
  const prefix = PUBLIC_PREFIXES.find((p) => secret.startsWith(p)) ?? "";
  const tail = secret.length - prefix.length >= 16 ? secret.slice(-4) : "";
  return `${prefix}…${tail}`;
}
