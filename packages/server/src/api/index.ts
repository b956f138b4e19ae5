import type { FlotillaClient } from "@flotilla/client";
import type { ApiDeps } from "./api-deps.js";
import { createEventsApi } from "./events-api.js";
import { createPlansApi } from "./plans-api.js";
import { createProjectsApi } from "./projects-api.js";
import { createQueueApi } from "./queue-api.js";
import { createTasksApi } from "./tasks-api.js";
import { createInboxApi } from "./inbox-api.js";
import { createTaskWorkApi } from "./task-work-api.js";
import { createConfigApi } from "./config-api.js";
import { createKeysApi } from "./keys-api.js";
import { createFleetApi } from "./fleet-api.js";

export type { ApiDeps } from "./api-deps.js";
export { buildSnapshot } from "./events-api.js";

/** Every operation but the live stream: what the HTTP routes and the in-process client both call. */
export type Api = Omit<FlotillaClient, "events">;

export const SERVER_VERSION = "0.1.0";

export function createApi(deps: ApiDeps): Api {
  return {
    health: async () => ({ ok: true as const, version: SERVER_VERSION }),
    ...createEventsApi(deps),
    ...createProjectsApi(deps),
    ...createTasksApi(deps),
    ...createPlansApi(deps),
    ...createQueueApi(deps),
    ...createInboxApi(deps),
    ...createTaskWorkApi(deps),
    ...createConfigApi(deps),
    ...createKeysApi(deps),
    ...createFleetApi(deps),
  };
}
