import { Hono } from "hono";
import type { ConfigScope, SaveConfigRequest } from "@flotilla/client";
import type { Api } from "../api/index.js";
import { jsonBody } from "./json-body.js";

/**
 * /config/*: editing a config file (the global one, or a project's). `GET /config` (the merged
 * config, read-only) is a view (routes/views.ts).
 */
export function configRoutes(api: Api): Hono {
  return new Hono()
    .get("/file", async (c) => {
      const project = c.req.query("project");
      const scope = c.req.query("scope") ?? (project !== undefined ? "project" : "global");
      // Validated by the API with ConfigScopeSchema (an unknown scope is a 400 naming it).
      return c.json(await api.configFile({ scope, project } as ConfigScope));
    })
    .post("/validate", async (c) => c.json(await api.validateConfig(await jsonBody<SaveConfigRequest>(c))))
    .put("/file", async (c) => c.json(await api.saveConfig(await jsonBody<SaveConfigRequest>(c))));
}
