import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebhookConfigSchema, type FlotillaEvent, type Task } from "@flotilla/protocol";
import { payloadEnv, payloadFor } from "./payload.js";
import { deliverWebhook, redact, signBody } from "./webhook.js";

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

async function listen(statuses: number[]): Promise<{ url: string; hits: { body: string; sig: unknown }[] }> {
  const hits: { body: string; sig: unknown }[] = [];
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      hits.push({ body, sig: req.headers["x-flotilla-signature"] });
      res.statusCode = statuses.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, hits };
}

describe("webhooks", () => {
  it("signs the body: sha256=<HMAC-SHA256 hex>", () => {
    const expected = createHmac("sha256", "k").update("{}").digest("hex");
    expect(signBody("{}", "k")).toBe(`sha256=${expected}`);
  });

  it("retries 5xx with backoff until it succeeds, and gives up on a 4xx at once", async () => {
    const { url, hits } = await listen([503, 500]);
    const hook = WebhookConfigSchema.parse({ url, secret: "k", backoffMs: 5 });
    expect(await deliverWebhook(hook, '{"a":1}')).toBe(3);
    expect(hits.every((h) => h.sig === signBody('{"a":1}', "k"))).toBe(true);

    const gone = await listen([404]);
    const hook404 = WebhookConfigSchema.parse({ url: gone.url, backoffMs: 5 });
    await expect(deliverWebhook(hook404, "{}")).rejects.toThrow(/failed after 1 attempt\(s\): HTTP 404/);
    expect(gone.hits[0]?.sig).toBeUndefined();
  });

  it("stops after the configured retries", async () => {
    const { url, hits } = await listen([500, 500, 500, 500]);
    const hook = WebhookConfigSchema.parse({ url, retries: 2, backoffMs: 5 });
    await expect(deliverWebhook(hook, "{}")).rejects.toThrow(/failed after 3 attempt/);
    expect(hits).toHaveLength(3);
  });

  it("refuses non-http(s) URLs; redacts credentials in messages", () => {
    for (const url of ["ftp://x/y", "file:///etc/passwd", "not a url", "javascript:alert(1)"]) {
      expect(WebhookConfigSchema.safeParse({ url }).success, url).toBe(false);
    }
    expect(redact("https://user:pw@example.com/h?token=abc")).toBe("https://example.com/h?…");
  });
});

describe("payloads", () => {
  const task = { id: "t1", title: "Title", projectId: "p", branch: "flotilla/t1", targetBranch: "main" } as Task;
  const ev = (to: unknown): FlotillaEvent =>
    ({ seq: 7, at: "now", payload: { type: "task.status-changed", taskId: "t1", from: "x", to } }) as FlotillaEvent;

  it("only merged, failed and needs_input notify", () => {
    expect(payloadFor(ev({ status: "merged", commit: "abcdef1234567" }), task)?.summary).toBe(
      "Title: merged into main at abcdef1234",
    );
    expect(payloadFor(ev({ status: "failed", reason: "r" }), task)?.event).toBe("failed");
    expect(payloadFor(ev({ status: "needs_input", question: "q?" }), task)?.summary).toContain("q?");
    expect(payloadFor(ev({ status: "running", runId: "r" }), task)).toBeUndefined();
    expect(payloadFor(ev({ status: "merged", commit: "c" }), undefined)).toBeUndefined();
  });

  it("env vars carry the event and its JSON", () => {
    const p = payloadFor(ev({ status: "failed", reason: "r" }), task);
    const env = p ? payloadEnv(p) : {};
    expect(env.FLOTILLA_EVENT).toBe("failed");
    expect(JSON.parse(env.FLOTILLA_EVENT_JSON ?? "{}")).toMatchObject({ taskId: "t1", seq: 7 });
  });
});
