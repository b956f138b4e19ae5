import { Hono } from "hono";
import type { CreateTaskRequest, TaskFilter } from "@flotilla/client";
import type { Api } from "../api/index.js";
import { jsonBody, listQuery } from "./json-body.js";

/** /tasks: list, get, runs, create (a prompt task, run in the background), abort, retry, merge. */
export function taskRoutes(api: Api): Hono {
  return new Hono()
    .get("/", async (c) => {
      const status = listQuery(c.req.query("status"));
      const filter = {
        ...(c.req.query("project") !== undefined ? { project: c.req.query("project") } : {}),
        ...(c.req.query("plan") !== undefined ? { plan: c.req.query("plan") } : {}),
        ...(status !== undefined ? { status } : {}),
      } as TaskFilter;
      return c.json({ tasks: await api.listTasks(filter) });
    })
    .post("/", async (c) => c.json(await api.createTask(await jsonBody<CreateTaskRequest>(c)), 201))
    .get("/:id", async (c) => c.json(await api.getTask(c.req.param("id"))))
    .get("/:id/runs", async (c) => c.json({ runs: await api.listRuns(c.req.param("id")) }))
    .post("/:id/abort", async (c) => c.json(await api.abortTask(c.req.param("id"))))
    .post("/:id/retry", async (c) => c.json(await api.retryTask(c.req.param("id")), 202))
    .post("/:id/merge", async (c) => c.json(await api.mergeTask(c.req.param("id")), 202));
}
