import { Hono } from "hono";
import type { Api } from "../api/index.js";

/** Read-only views: the merge queue, metrics, the merged config, CI per commit, health. */
export function viewRoutes(api: Api): Hono {
  return new Hono()
    .get("/health", async (c) => c.json(await api.health()))
    .get("/merges", async (c) => c.json(await api.mergeQueue(c.req.query("project"))))
    .get("/metrics", async (c) => {
      const project = c.req.query("project");
      const plan = c.req.query("plan");
      return c.json(
        await api.metrics({ ...(project !== undefined ? { project } : {}), ...(plan !== undefined ? { plan } : {}) }),
      );
    })
    .get("/config", async (c) => c.json(await api.config(c.req.query("project"))))
    .get("/ci/:commit", async (c) => c.json(await api.ci(c.req.param("commit"))));
}
