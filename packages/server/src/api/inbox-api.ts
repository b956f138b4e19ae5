import type { FlotillaClient } from "@flotilla/client";
import { FlotillaError } from "@flotilla/protocol";
import type { ApiDeps } from "./api-deps.js";

export type InboxApi = Pick<FlotillaClient, "inbox" | "answer" | "approve" | "deny">;

// SCAFFOLD: being implemented this session; must not ship as-is.
const todo = (what: string) => async (): Promise<never> => {
  throw new FlotillaError("internal", `${what} is not implemented yet`);
};

export function createInboxApi(_deps: ApiDeps): InboxApi {
  return {
    inbox: todo("inbox"),
    answer: todo("answer"),
    approve: todo("approve"),
    deny: todo("deny"),
  };
}
