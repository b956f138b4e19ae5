import { z } from "zod";
import { CiStatusSchema, ConfigSchema, ProjectSchema, TaskSchema } from "@flotilla/protocol";
import { ClientError } from "./client-error.js";
import type { FlotillaClient } from "./client.js";
import { openEventStream } from "./event-stream.js";
import {
  CleanReportSchema,
  EventPageSchema,
  HealthSchema,
  MergeQueueSchema,
  MetricsSchema,
  PlanDetailSchema,
  PlanListSchema,
  PlanValidationSchema,
  ProjectListSchema,
  ResumeResultSchema,
  RunListSchema,
  SnapshotSchema,
  TaskAnswersSchema,
  TaskListSchema,
} from "./wire-responses.js";
import {
  CleanTaskResultSchema,
  ConfigFileSchema,
  ConfigValidationSchema,
  InboxListSchema,
  ProviderKeyListSchema,
  ProviderKeySchema,
  TaskDiffSchema,
  TranscriptSchema,
} from "./wire-steering.js";

export interface HttpClientOptions {
  /** Where the server listens, e.g. `http://127.0.0.1:7600` (from `$FLOTILLA_HOME/server.json`). */
  baseUrl: string;
  /** The server's token (`$FLOTILLA_HOME/server-token`); omit in a browser that holds the cookie. */
  token?: string;
  fetch?: typeof fetch;
  /** The event stream's reconnect delay; default 1000 ms. */
  retryMs?: number;
}

type Query = Record<string, string | number | readonly string[] | undefined>;

/** The FlotillaClient over HTTP: every response is parsed with its zod schema. */
export function createHttpClient(options: HttpClientOptions): FlotillaClient {
  const base = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};

  async function call<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    extra: { body?: unknown; query?: Query } = {},
  ): Promise<z.output<S>> {
    const url = base + path + queryString(extra.query);
    const headers: Record<string, string> = { ...auth, accept: "application/json" };
    if (extra.body !== undefined) headers["content-type"] = "application/json";
    const send = () =>
      doFetch(url, {
        method,
        headers,
        ...(extra.body !== undefined ? { body: JSON.stringify(extra.body) } : {}),
      });
    let res: Response;
    try {
      // A GET changes nothing, so one that met a dropped connection (say, a kept-alive socket the
      // server closed as it was reused) is sent once more, on a fresh one. Never a request that
      // changes state: the server may have acted on it.
      res = await send().catch((err: unknown) => {
        if (method === "GET") return send();
        throw err;
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new ClientError("internal", `cannot reach the Flotilla server at ${base}: ${why}`, 0, {}, true);
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok) throw ClientError.fromBody(res.status, body);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new ClientError(
        "internal",
        `unexpected answer from ${method} ${path}: ${parsed.error.message}`,
        res.status,
      );
    }
    return parsed.data;
  }

  /** A binary answer (a zip): errors still come as the JSON error body. */
  async function callBytes(path: string): Promise<Uint8Array> {
    let res: Response;
    try {
      res = await doFetch(base + path, { method: "GET", headers: { ...auth } });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new ClientError("internal", `cannot reach the Flotilla server at ${base}: ${why}`, 0, {}, true);
    }
    if (!res.ok) throw ClientError.fromBody(res.status, await res.json().catch(() => undefined));
    return new Uint8Array(await res.arrayBuffer());
  }

  const id = encodeURIComponent;
  const project = (ref: string | undefined): Query => ({ project: ref });

  return {
    health: () => call("GET", "/health", HealthSchema),
    snapshot: () => call("GET", "/snapshot", SnapshotSchema),
    listProjects: () => call("GET", "/projects", ProjectListSchema),
    addProject: (input) => call("POST", "/projects", ProjectSchema, { body: input }),
    removeProject: (ref) => call("DELETE", `/projects/${id(ref)}`, ProjectSchema),
    selectProject: (ref) => call("POST", `/projects/${id(ref)}/select`, ProjectSchema),
    listTasks: async (filter = {}) =>
      (
        await call("GET", "/tasks", TaskListSchema, {
          query: { project: filter.project, plan: filter.plan, status: filter.status },
        })
      ).tasks,
    getTask: (taskId) => call("GET", `/tasks/${id(taskId)}`, TaskSchema),
    listRuns: async (taskId) => (await call("GET", `/tasks/${id(taskId)}/runs`, RunListSchema)).runs,
    taskAnswers: (taskId) => call("GET", `/tasks/${id(taskId)}/answers`, TaskAnswersSchema),
    createTask: (input) => call("POST", "/tasks", TaskSchema, { body: input }),
    abortTask: (taskId) => call("POST", `/tasks/${id(taskId)}/abort`, TaskSchema),
    retryTask: (taskId) => call("POST", `/tasks/${id(taskId)}/retry`, TaskSchema),
    mergeTask: (taskId) => call("POST", `/tasks/${id(taskId)}/merge`, TaskSchema),
    resume: (input) => call("POST", "/resume", ResumeResultSchema, input !== undefined ? { body: input } : {}),
    cleanProject: (ref, input = {}) => call("POST", `/projects/${id(ref)}/clean`, CleanReportSchema, { body: input }),
    enqueue: (input) => call("POST", "/tickets", TaskSchema, { body: input }),
    validatePlan: (input) => call("POST", "/plans/validate", PlanValidationSchema, { body: input }),
    runPlan: (input) => call("POST", "/plans", PlanDetailSchema, { body: input }),
    getPlan: (planId) => call("GET", `/plans/${id(planId)}`, PlanDetailSchema),
    listPlans: async (ref) => (await call("GET", "/plans", PlanListSchema, { query: project(ref) })).plans,
    mergeQueue: (ref) => call("GET", "/merges", MergeQueueSchema, { query: project(ref) }),
    metrics: (q = {}) => call("GET", "/metrics", MetricsSchema, { query: { project: q.project, plan: q.plan } }),
    config: (ref) => call("GET", "/config", ConfigSchema, { query: project(ref) }),
    ci: (commit) => call("GET", `/ci/${id(commit)}`, CiStatusSchema),
    inbox: async () => (await call("GET", "/inbox", InboxListSchema)).items,
    answer: (itemId, input) => call("POST", `/inbox/${id(itemId)}/answer`, TaskSchema, { body: input }),
    approve: (itemId, input = {}) => call("POST", `/inbox/${id(itemId)}/approve`, TaskSchema, { body: input }),
    deny: (itemId, input = {}) => call("POST", `/inbox/${id(itemId)}/deny`, TaskSchema, { body: input }),
    followUp: (taskId, text) => call("POST", `/tasks/${id(taskId)}/follow-up`, TaskSchema, { body: { text } }),
    diff: (taskId) => call("GET", `/tasks/${id(taskId)}/diff`, TaskDiffSchema),
    reviewComments: (taskId, input) =>
      call("POST", `/tasks/${id(taskId)}/review-comments`, TaskSchema, { body: input }),
    transcript: (taskId) => call("GET", `/tasks/${id(taskId)}/transcript`, TranscriptSchema),
    cleanTask: (taskId, input = {}) =>
      call("POST", `/tasks/${id(taskId)}/clean`, CleanTaskResultSchema, { body: input }),
    exportTask: (taskId) => callBytes(`/tasks/${id(taskId)}/export`),
    configFile: (scope) =>
      call("GET", "/config/file", ConfigFileSchema, {
        query: { scope: scope.scope, project: scope.scope === "project" ? scope.project : undefined },
      }),
    validateConfig: (input) => call("POST", "/config/validate", ConfigValidationSchema, { body: input }),
    saveConfig: (input) => call("PUT", "/config/file", ConfigValidationSchema, { body: input }),
    listKeys: async () => (await call("GET", "/keys", ProviderKeyListSchema)).keys,
    setKey: (input) => call("PUT", "/keys", ProviderKeySchema, { body: input }),
    removeKey: (provider) => call("DELETE", `/keys/${id(provider)}`, ProviderKeySchema),
    eventLog: (q = {}) =>
      call("GET", "/events/log", EventPageSchema, { query: { since: q.since, task: q.task, limit: q.limit } }),
    events: (since, onMessage, streamOptions) =>
      openEventStream(
        {
          url: `${base}/events`,
          headers: auth,
          fetch: doFetch,
          ...(options.retryMs !== undefined ? { retryMs: options.retryMs } : {}),
        },
        since,
        onMessage,
        streamOptions,
      ),
  };
}

function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (typeof value === "object") {
      if (value.length > 0) params.set(key, value.join(","));
    } else params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}
