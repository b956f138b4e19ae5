import { useRef, useState } from "react";
import type { FlotillaClient, TaskView } from "@flotilla/client";
import type { AnswerPromptState } from "./components/answer-prompt.js";
import { inboxItemFor } from "./task-actions.js";
import { bufferOf, lineKey, textOf, type EditKey } from "./text-edit.js";
import type { Banner } from "./ui-state.js";
import { messageOf } from "./use-view-state.js";

export interface AnswerPrompting {
  prompt: AnswerPromptState | undefined;
  /** Opens the input for the task's question (asks the inbox which item it is). */
  open(task: TaskView): void;
  /** A key while the input is open; false when it is closed. */
  handleKey(input: string, key: EditKey): boolean;
}

/** Answering an agent's question: a one-line input; enter sends it with `client.answer`. */
export function useAnswerPrompt(client: FlotillaClient, banner: (b: Banner) => void): AnswerPrompting {
  const [prompt, setPrompt] = useState<AnswerPromptState | undefined>(undefined);
  const ref = useRef<AnswerPromptState | undefined>(undefined);
  const update = (next: AnswerPromptState | undefined) => {
    ref.current = next;
    setPrompt(next);
  };
  const send = async (p: AnswerPromptState, text: string) => {
    update({ ...p, sending: true });
    try {
      await client.answer(p.itemId, { text });
      update(undefined);
      banner({ tone: "info", text: `answered task ${p.taskId}; it runs on` });
    } catch (err) {
      const now = ref.current;
      if (now) update({ ...now, sending: false });
      banner({ tone: "error", text: `answer ${p.taskId}: ${messageOf(err)}` });
    }
  };
  return {
    prompt,
    open(task) {
      inboxItemFor(client, task.id, "answer").then(
        (item) =>
          update({ taskId: task.id, itemId: item.id, question: item.text, buffer: bufferOf(""), sending: false }),
        (err: unknown) => banner({ tone: "error", text: `answer ${task.id}: ${messageOf(err)}` }),
      );
    },
    handleKey(input, key) {
      const p = ref.current;
      if (!p) return false;
      if (p.sending) return true;
      const [buffer, outcome] = lineKey(p.buffer, input, key);
      if (outcome === "cancel") {
        update(undefined);
        banner({ tone: "info", text: "answer cancelled" });
      } else if (outcome === "submit") {
        const text = textOf(buffer).trim();
        if (text === "") banner({ tone: "error", text: "type an answer first (esc cancels)" });
        else void send(p, text);
      } else if (outcome === "changed" || outcome === "moved") update({ ...p, buffer });
      return true;
    },
  };
}
