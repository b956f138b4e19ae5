import { Hono } from "hono";
import type { CleanProjectRequest } from "@flotilla/client";
import type { AddProjectInput } from "@flotilla/protocol";
import type { Api } from "../api/index.js";
import { jsonBody } from "./json-body.js";

/**
 * /projects: the registry, and a project's clean-up (orphaned worktrees, landed branches). A
 * project ref is its id, name or (URL-encoded) absolute path.
 */
export function projectRoutes(api: Api): Hono {
  return new Hono()
    .get("/", async (c) => c.json(await api.listProjects()))
    .post("/", async (c) => c.json(await api.addProject(await jsonBody<AddProjectInput>(c)), 201))
    .delete("/:ref", async (c) => c.json(await api.removeProject(c.req.param("ref"))))
    .post("/:ref/select", async (c) => c.json(await api.selectProject(c.req.param("ref"))))
    .post("/:ref/clean", async (c) =>
      c.json(await api.cleanProject(c.req.param("ref"), await jsonBody<CleanProjectRequest | undefined>(c))),
    );
}
