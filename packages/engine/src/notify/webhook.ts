import { createHmac } from "node:crypto";
import { ExponentialBackoff, handleWhen, retry } from "cockatiel";
import type { WebhookConfig } from "@flotilla/protocol";

export const SIGNATURE_HEADER = "X-Flotilla-Signature";

/** `sha256=<hex HMAC-SHA256 of the body with the secret>`. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** A response the receiver will not change its mind about (4xx other than 408 and 429). */
class PermanentError extends Error {}

/**
 * POSTs the JSON body to the webhook, signed when it has a secret, retried with exponential
 * backoff and jitter (cockatiel) on network errors, timeouts, 5xx, 408 and 429. Resolves with
 * the number of attempts; rejects with a message that names the URL (without credentials) but
 * never the secret.
 */
export async function deliverWebhook(hook: WebhookConfig, body: string): Promise<number> {
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "flotilla" };
  if (hook.secret !== undefined) headers[SIGNATURE_HEADER] = signBody(body, hook.secret);
  const policy = retry(
    handleWhen((e) => !(e instanceof PermanentError)),
    {
      maxAttempts: hook.retries,
      backoff: new ExponentialBackoff({ initialDelay: hook.backoffMs, maxDelay: Math.max(hook.backoffMs, 30_000) }),
    },
  );
  let attempts = 0;
  try {
    await policy.execute(async () => {
      attempts++;
      const res = await fetch(hook.url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(hook.timeoutMs),
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) return;
      const message = `HTTP ${res.status}`;
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        throw new PermanentError(message);
      }
      throw new Error(message);
    });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`webhook ${redact(hook.url)} failed after ${attempts} attempt(s): ${why}`, { cause: err });
  }
  return attempts;
}

/** The URL without user:password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? "?…" : ""}`;
  } catch {
    return "(invalid url)";
  }
}
