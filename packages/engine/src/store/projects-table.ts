import type { Project } from "@flotilla/protocol";
import type { Db } from "./database.js";

interface ProjectRow {
  id: string;
  name: string;
  path: string;
  created_at: string;
  removed_at: string | null;
}

const toProject = (r: ProjectRow): Project => ({ id: r.id, name: r.name, path: r.path, createdAt: r.created_at });

export function createProjectsTable(db: Db) {
  return {
    insert(p: Project): void {
      db.prepare(
        `INSERT INTO projects (id, name, path, created_at) VALUES (@id, @name, @path, @createdAt)
         ON CONFLICT(path) DO UPDATE SET removed_at = NULL, name = excluded.name`,
      ).run(p);
    },
    get(id: string): Project | undefined {
      const r = db.prepare("SELECT * FROM projects WHERE id = ? AND removed_at IS NULL").get(id) as
        ProjectRow | undefined;
      return r && toProject(r);
    },
    getByPath(path: string): Project | undefined {
      const r = db.prepare("SELECT * FROM projects WHERE path = ? AND removed_at IS NULL").get(path) as
        ProjectRow | undefined;
      return r && toProject(r);
    },
    /** A removed project's row, kept so its tasks keep their history. */
    getAnyByPath(path: string): Project | undefined {
      const r = db.prepare("SELECT * FROM projects WHERE path = ?").get(path) as ProjectRow | undefined;
      return r && toProject(r);
    },
    getByName(name: string): Project[] {
      return (db.prepare("SELECT * FROM projects WHERE name = ? AND removed_at IS NULL").all(name) as ProjectRow[]).map(
        toProject,
      );
    },
    list(): Project[] {
      return (
        db.prepare("SELECT * FROM projects WHERE removed_at IS NULL ORDER BY created_at").all() as ProjectRow[]
      ).map(toProject);
    },
    /** Soft removal: the project leaves the registry, its tasks and history stay. */
    markRemoved(id: string, at: string): void {
      db.prepare("UPDATE projects SET removed_at = ? WHERE id = ?").run(at, id);
    },
  };
}
export type ProjectsTable = ReturnType<typeof createProjectsTable>;
