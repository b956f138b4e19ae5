import { Hono } from "hono";
import { AnswerRequestSchema, ApproveRequestSchema, DenyRequestSchema } from "@flotilla/client";
import type { Api } from "../api/index.js";
import { jsonBody } from "./json-body.js";

/** /inbox: what waits for a person, and the actions on an item (checked at once, run in the background → 202). */
export function inboxRoutes(api: Api): Hono {
  return new Hono()
    .get("/", async (c) => c.json({ items: await api.inbox() }))
    .post("/:id/answer", async (c) =>
      c.json(await api.answer(c.req.param("id"), AnswerRequestSchema.parse(await jsonBody(c))), 202),
    )
    .post("/:id/approve", async (c) =>
      c.json(await api.approve(c.req.param("id"), ApproveRequestSchema.parse((await jsonBody(c)) ?? {})), 202),
    )
    .post("/:id/deny", async (c) =>
      c.json(await api.deny(c.req.param("id"), DenyRequestSchema.parse((await jsonBody(c)) ?? {})), 202),
    );
}
