import { Hono } from "hono";
import type { EnqueueTicketRequest, ResumeRequest } from "@flotilla/client";
import type { Api } from "../api/index.js";
import { jsonBody } from "./json-body.js";

/**
 * The fleet: `POST /resume` (what was left, or `{ taskIds }` of it, continued in the background,
 * by a new run or the `join`ed one still going → 202 with the tasks taken) and `POST /tickets` (a
 * ticket's task stored queued → 201). A project's clean-up is `POST /projects/:ref/clean`
 * (routes/projects.ts).
 */
export function fleetRoutes(api: Api): Hono {
  return new Hono()
    .post("/resume", async (c) => c.json(await api.resume(await jsonBody<ResumeRequest | undefined>(c)), 202))
    .post("/tickets", async (c) => c.json(await api.enqueue(await jsonBody<EnqueueTicketRequest>(c)), 201));
}
