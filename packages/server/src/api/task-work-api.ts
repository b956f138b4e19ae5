import type { FlotillaClient, TaskDiff } from "@flotilla/client";
import {
  FollowUpRequestSchema,
  ReviewCommentsRequestSchema,
  TRANSCRIPT_EVENT_TYPES,
  buildTranscript,
} from "@flotilla/client";
import type { TaskDiffResult } from "@flotilla/engine";
import { TaskIdSchema } from "@flotilla/protocol";
import type { ApiDeps } from "./api-deps.js";
import { exportTaskZip } from "./task-export.js";

export type TaskWorkApi = Pick<FlotillaClient, "followUp" | "diff" | "reviewComments" | "transcript" | "exportTask">;

/**
 * A task's session, diff and record: follow-ups and review comments (checked at once, then run
 * in the background until the task rests), its parsed diff, its transcript, its export.
 */
export function createTaskWorkApi({ engine, background }: ApiDeps): TaskWorkApi {
  const id = (taskId: string) => TaskIdSchema.parse(taskId);
  const send = async (taskId: string, message: string, label: string) => {
    await background.start(`${label} ${taskId}`, (shutdown) => engine.followUp(taskId, message, { shutdown }));
    return engine.task(taskId);
  };
  return {
    async followUp(taskId, text) {
      const { text: message } = FollowUpRequestSchema.parse({ text });
      engine.checkFollowUp(id(taskId));
      return send(taskId, message, "follow-up");
    },
    diff: async (taskId) => wireDiff(await engine.diff(id(taskId))),
    async reviewComments(taskId, input) {
      const { head, comments, summary } = ReviewCommentsRequestSchema.parse(input);
      engine.checkFollowUp(id(taskId)); // an illegal state is said before any comment is looked at
      const message = await engine.reviewMessage(taskId, {
        head,
        comments,
        ...(summary !== undefined ? { summary } : {}),
      });
      return send(taskId, message, "review comments");
    },
    async transcript(taskId) {
      engine.task(id(taskId));
      // The seq first: the events read after it may go further, never less far.
      const seq = engine.store.read.events.latestSeq();
      const events = engine.store.read.events.since(0, {
        taskId,
        types: TRANSCRIPT_EVENT_TYPES,
        limit: 100_000_000,
      });
      const transcript = buildTranscript(taskId, events);
      return { ...transcript, lastSeq: Math.max(transcript.lastSeq, seq) };
    },
    exportTask: async (taskId) => exportTaskZip(engine, id(taskId)),
  };
}

/** The engine's diff as the wire shows it (TaskDiffSchema): without the raw patch. */
function wireDiff(d: TaskDiffResult): TaskDiff {
  return { taskId: d.taskId, base: d.base, head: d.head, files: d.files, truncated: d.truncated };
}
