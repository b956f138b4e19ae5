import type { FlotillaClient } from "@flotilla/client";
import { FlotillaError } from "@flotilla/protocol";
import type { ApiDeps } from "./api-deps.js";

export type TaskWorkApi = Pick<FlotillaClient, "followUp" | "diff" | "reviewComments" | "transcript" | "exportTask">;

// SCAFFOLD: being implemented this session; must not ship as-is.
const todo = (what: string) => async (): Promise<never> => {
  throw new FlotillaError("internal", `${what} is not implemented yet`);
};

export function createTaskWorkApi(_deps: ApiDeps): TaskWorkApi {
  return {
    followUp: todo("followUp"),
    diff: todo("diff"),
    reviewComments: todo("reviewComments"),
    transcript: todo("transcript"),
    exportTask: todo("exportTask"),
  };
}
