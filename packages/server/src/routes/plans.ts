import { Hono } from "hono";
import type { RunPlanRequest, ValidatePlanRequest } from "@flotilla/client";
import type { Api } from "../api/index.js";
import { jsonBody } from "./json-body.js";

/** /plans: validate a plan's text (errors with line:col), create and run one, read them. */
export function planRoutes(api: Api): Hono {
  return new Hono()
    .post("/validate", async (c) => c.json(await api.validatePlan(await jsonBody<ValidatePlanRequest>(c))))
    .post("/", async (c) => c.json(await api.runPlan(await jsonBody<RunPlanRequest>(c)), 201))
    .get("/", async (c) => c.json({ plans: await api.listPlans(c.req.query("project")) }))
    .get("/:id", async (c) => c.json(await api.getPlan(c.req.param("id"))));
}
