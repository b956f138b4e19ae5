import type { FlotillaClient, InboxItem } from "@flotilla/client";
import { AnswerRequestSchema, ApproveRequestSchema, DenyRequestSchema } from "@flotilla/client";
import type { InboxItem as EngineInboxItem } from "@flotilla/engine";
import { FlotillaError } from "@flotilla/protocol";
import type { ApiDeps } from "./api-deps.js";

export type InboxApi = Pick<FlotillaClient, "inbox" | "answer" | "approve" | "deny">;

/**
 * The needs-you inbox. An action is checked at once (an unknown or stale item is a 404 before
 * anything starts, an action the item does not take a 409), then runs in the background until
 * the task rests; the answer is the task as it is right after.
 */
export function createInboxApi({ engine, background }: ApiDeps): InboxApi {
  return {
    inbox: async () => engine.inbox().map(toWire),
    async answer(itemId, input) {
      const { text } = AnswerRequestSchema.parse(input);
      const item = engine.inboxItem(itemId, "answer");
      await background.start(`answer ${itemId}`, (shutdown) => engine.answer(itemId, text, { shutdown }));
      return engine.task(item.taskId);
    },
    async approve(itemId, input = {}) {
      const { always } = ApproveRequestSchema.parse(input);
      const item = engine.inboxItem(itemId, "approve");
      if (always && item.kind !== "permission") {
        throw new FlotillaError(
          "invalid_input",
          `"always" applies to a permission request; inbox item ${itemId} is a ${item.kind}`,
          { id: itemId },
        );
      }
      await background.start(`approve ${itemId}`, (shutdown) => engine.approve(itemId, { shutdown, always }));
      return engine.task(item.taskId);
    },
    async deny(itemId, input = {}) {
      const { reason } = DenyRequestSchema.parse(input);
      const item = engine.inboxItem(itemId, "deny");
      await background.start(`deny ${itemId}`, (shutdown) => engine.deny(itemId, reason, { shutdown }));
      return engine.task(item.taskId);
    },
  };
}

/** The engine's item as the wire shows it (InboxItemSchema). */
function toWire(item: EngineInboxItem): InboxItem {
  return {
    id: item.id,
    kind: item.kind,
    taskId: item.taskId,
    projectId: item.projectId,
    title: item.title,
    since: item.since,
    seq: item.seq,
    text: item.text,
    ...(item.tool !== undefined ? { tool: item.tool } : {}),
    ...(item.input !== undefined ? { input: item.input } : {}),
    ...(item.runId !== undefined ? { runId: item.runId } : {}),
    ...(item.files !== undefined ? { files: item.files } : {}),
    actions: [...item.actions],
  };
}
