import { Box, Text } from "ink";
import type { TextBuffer } from "../text-edit.js";

/** An open "answer the agent's question" input: the task, its question, the answer typed so far. */
export interface AnswerPromptState {
  taskId: string;
  itemId: string;
  question: string;
  buffer: TextBuffer;
  sending: boolean;
}

/** Two lines above the status line: the question, then the answer being typed (enter sends). */
export function AnswerPrompt({ prompt, width }: { prompt: AnswerPromptState; width: number }) {
  const line = prompt.buffer.lines[0] ?? "";
  const room = Math.max(10, width - 30);
  const shift = prompt.buffer.col >= room ? prompt.buffer.col - room + 1 : 0;
  const visible = line.slice(shift);
  const at = prompt.buffer.col - shift;
  return (
    <Box flexDirection="column" width={width}>
      <Text color="magenta" wrap="truncate">
        ? {prompt.taskId}: {prompt.question}
      </Text>
      <Text wrap="truncate">
        <Text color="cyan">answer › </Text>
        {visible.slice(0, at)}
        <Text inverse>{visible[at] ?? " "}</Text>
        {visible.slice(at + 1)}
        <Text color="gray">{prompt.sending ? "  sending…" : "  (enter sends · esc cancels)"}</Text>
      </Text>
    </Box>
  );
}
