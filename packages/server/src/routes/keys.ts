import { Hono, type Context } from "hono";
import type { SetProviderKeyRequest } from "@flotilla/client";
import { FlotillaError } from "@flotilla/protocol";
import type { Api } from "../api/index.js";

/**
 * /keys: provider keys. Answers carry masked values only and are never cached. A body that is
 * not JSON is refused without quoting it (JSON.parse's message would echo part of the secret).
 */
export function keyRoutes(api: Api): Hono {
  return new Hono()
    .use(async (c, next) => {
      await next();
      c.header("Cache-Control", "no-store");
    })
    .get("/", async (c) => c.json({ keys: await api.listKeys() }))
    .put("/", async (c) => c.json(await api.setKey(await secretBody(c))))
    .delete("/:provider", async (c) => c.json(await api.removeKey(c.req.param("provider"))));
}

async function secretBody(c: Context): Promise<SetProviderKeyRequest> {
  const text = await c.req.text();
  try {
    return JSON.parse(text) as SetProviderKeyRequest;
  } catch {
    throw new FlotillaError("invalid_input", "malformed JSON body (not repeated here: it may hold a secret)");
  }
}
