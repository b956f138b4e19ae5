import { Hono } from "hono";
import type { CleanTaskRequest, CreateTaskRequest, TaskFilter } from "@flotilla/client";
import { FollowUpRequestSchema, ReviewCommentsRequestSchema } from "@flotilla/client";
import type { Api } from "../api/index.js";
import { exportFileName } from "../api/task-export.js";
import { jsonBody, listQuery } from "./json-body.js";

/**
 * /tasks: list, get, runs, the orchestrator's answers (with the task's usage), create (a prompt task, run in the background), abort, retry, merge; and
 * steering: a follow-up into the session, the diff, review comments, the transcript, the export.
 */
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
    .get("/:id/answers", async (c) => c.json(await api.taskAnswers(c.req.param("id"))))
    .post("/:id/abort", async (c) => c.json(await api.abortTask(c.req.param("id"))))
    .post("/:id/retry", async (c) => c.json(await api.retryTask(c.req.param("id")), 202))
    .post("/:id/merge", async (c) => c.json(await api.mergeTask(c.req.param("id")), 202))
    .post("/:id/follow-up", async (c) => {
      const { text } = FollowUpRequestSchema.parse(await jsonBody(c));
      return c.json(await api.followUp(c.req.param("id"), text), 202);
    })
    .get("/:id/diff", async (c) => c.json(await api.diff(c.req.param("id"))))
    .post("/:id/review-comments", async (c) =>
      c.json(await api.reviewComments(c.req.param("id"), ReviewCommentsRequestSchema.parse(await jsonBody(c))), 202),
    )
    .get("/:id/transcript", async (c) => c.json(await api.transcript(c.req.param("id"))))
    .get("/:id/export", async (c) => {
      const id = c.req.param("id");
      const zip = await api.exportTask(id);
      return c.body(zip.slice().buffer, 200, {
        "content-type": "application/zip",
        "content-disposition": `attachment; filename="${exportFileName(id)}"`,
      });
    })
    .post("/:id/clean", async (c) =>
      c.json(await api.cleanTask(c.req.param("id"), await jsonBody<CleanTaskRequest | undefined>(c))),
    );
}
