import type { FlotillaClient } from "@flotilla/client";
import { AddProjectInputSchema, ProjectRefSchema } from "@flotilla/client";
import type { ApiDeps } from "./api-deps.js";

export type ProjectsApi = Pick<FlotillaClient, "listProjects" | "addProject" | "removeProject" | "selectProject">;

/** The project registry: only absolute paths to git work trees are accepted. */
export function createProjectsApi({ engine }: ApiDeps): ProjectsApi {
  return {
    async listProjects() {
      const selected = engine.projects.selected();
      return { projects: engine.projects.list(), ...(selected ? { selectedProjectId: selected.id } : {}) };
    },
    addProject: (input) => engine.projects.add(AddProjectInputSchema.parse(input)),
    removeProject: async (ref) => engine.projects.remove(ProjectRefSchema.parse(ref)),
    selectProject: async (ref) => engine.projects.select(ProjectRefSchema.parse(ref)),
  };
}
