import { statSync } from "node:fs";
import { basename } from "node:path";
import { AddProjectInputSchema, FlotillaError, newId, type Project } from "@flotilla/protocol";
import { isInside, mustFindProject, projectContaining, realOrSame } from "./project-match.js";
import type { Git } from "../git/index.js";
import type { Store } from "../store/index.js";

const SELECTED_KEY = "selected_project";

export interface ProjectRegistry {
  add(input: { path: string; name?: string }): Promise<Project>;
  remove(ref: string): Project;
  list(): Project[];
  select(ref: string): Project;
  selected(): Project | undefined;
  /** A project by id, name or path; with no ref, the selected one. */
  resolve(ref?: string): Project;
  /** The registered project that contains `dir`, if any. */
  findContaining(dir: string): Project | undefined;
}

/**
 * The projects Flotilla may work on: absolute paths to the top of git work trees, optionally
 * limited to allowed roots.
 */
export function createProjectRegistry(deps: {
  store: Store;
  git: Git;
  allowedRoots: readonly string[];
}): ProjectRegistry {
  const { store, git } = deps;

  function checkAllowed(path: string): void {
    if (deps.allowedRoots.length === 0) return;
    const inside = deps.allowedRoots.some((root) => isInside(realOrSame(root), path));
    if (!inside) {
      throw new FlotillaError(
        "invalid_input",
        `project path ${path} is outside the allowed roots (${deps.allowedRoots.join(", ")}); add its root to projects.allowedRoots in the config`,
        { path, allowedRoots: deps.allowedRoots },
      );
    }
  }

  const mustGet = (ref: string): Project => mustFindProject(store.read.projects.list(), ref);

  return {
    async add(input) {
      const parsed = AddProjectInputSchema.safeParse(input);
      if (!parsed.success) {
        throw new FlotillaError("invalid_input", `project path "${input.path}" must be an absolute path`, {
          path: input.path,
        });
      }
      const path = parsed.data.path;
      let isDir: boolean;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        throw new FlotillaError("invalid_input", `project path ${path} does not exist`, { path });
      }
      if (!isDir) throw new FlotillaError("invalid_input", `project path ${path} is not a directory`, { path });
      const top = realOrSame(await git.topLevel(realOrSame(path)));
      checkAllowed(top);
      const existing = store.read.projects.getByPath(top);
      if (existing) return existing;
      const project: Project = {
        id: store.read.projects.getAnyByPath(top)?.id ?? newId("proj"),
        name: parsed.data.name ?? basename(top),
        path: top,
        createdAt: new Date().toISOString(),
      };
      return store.write((ctx) => {
        ctx.projects.insert(project);
        ctx.emit({ type: "project.added", projectId: project.id, path: project.path });
        if (ctx.meta.get(SELECTED_KEY) === undefined) ctx.meta.set(SELECTED_KEY, project.id);
        return ctx.projects.get(project.id) ?? project;
      });
    },
    remove(ref) {
      const project = mustGet(ref);
      store.write((ctx) => {
        ctx.projects.markRemoved(project.id, ctx.now);
        if (ctx.meta.get(SELECTED_KEY) === project.id) ctx.meta.delete(SELECTED_KEY);
        ctx.emit({ type: "project.removed", projectId: project.id });
      });
      return project;
    },
    list: () => store.read.projects.list(),
    select(ref) {
      const project = mustGet(ref);
      store.write((ctx) => ctx.meta.set(SELECTED_KEY, project.id));
      return project;
    },
    selected() {
      const id = store.read.meta.get(SELECTED_KEY);
      return id === undefined ? undefined : store.read.projects.get(id);
    },
    resolve(ref) {
      if (ref !== undefined) return mustGet(ref);
      const selected = this.selected();
      if (!selected) {
        throw new FlotillaError(
          "invalid_input",
          "no project selected: add one with `flotilla project add <path>` or pass --project",
        );
      }
      return selected;
    },
    findContaining: (dir) => projectContaining(store.read.projects.list(), dir),
  };
}
