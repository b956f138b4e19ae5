import type { Engine } from "@flotilla/engine";
import type { Project } from "@flotilla/protocol";
import type { Background } from "../background.js";

/** What the API's operations stand on. */
export interface ApiDeps {
  engine: Engine;
  background: Background;
}

/** A project by id, name or path; the selected one when no ref is given. */
export function projectOf(engine: Engine, ref: string | undefined): Project {
  return engine.projects.resolve(ref);
}
