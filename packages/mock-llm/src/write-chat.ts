import type { ServerResponse } from "node:http";
import { CREATED, pieces, sendJson, sse, startSse } from "./http.js";
import type { Answer, ToolCall } from "./types.js";

/**
 * OpenAI Chat Completions responses. Streaming: `data:` chunks with delta.role, delta.content or
 * delta.tool_calls (id and name first, then the arguments in pieces), a chunk with finish_reason,
 * a usage chunk (empty choices), then `data: [DONE]`.
 */

function usage(a: Answer) {
  const { inputTokens, outputTokens } = a.usage;
  return { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
}

function toolCall(call: ToolCall) {
  const id = `call_${call.id}`;
  if (call.kind === "custom") return { id, type: "custom", custom: { name: call.name, input: call.input } };
  return { id, type: "function", function: { name: call.name, arguments: JSON.stringify(call.input) } };
}

export function writeChat(res: ServerResponse, a: Answer, stream: boolean): void {
  const head = { id: `chatcmpl-${a.id}`, created: CREATED, model: a.model };
  const finish = a.reply.kind === "text" ? "stop" : "tool_calls";
  if (!stream) {
    const message =
      a.reply.kind === "text"
        ? { role: "assistant", content: a.reply.text }
        : { role: "assistant", content: null, tool_calls: [toolCall(a.reply.call)] };
    const choice = { index: 0, message, finish_reason: finish, logprobs: null };
    sendJson(res, 200, { ...head, object: "chat.completion", choices: [choice], usage: usage(a) });
    return;
  }
  startSse(res);
  const chunk = (delta: Record<string, unknown>, finish_reason: string | null = null) =>
    sse(res, undefined, {
      ...head,
      object: "chat.completion.chunk",
      choices: [{ index: 0, delta, finish_reason, logprobs: null }],
    });
  if (a.reply.kind === "text") {
    chunk({ role: "assistant", content: "" });
    for (const content of pieces(a.reply.text)) chunk({ content });
  } else {
    const call = a.reply.call;
    const id = `call_${call.id}`;
    chunk({ role: "assistant", content: null });
    if (call.kind === "custom") {
      chunk({ tool_calls: [{ index: 0, id, type: "custom", custom: { name: call.name, input: call.input } }] });
    } else {
      chunk({ tool_calls: [{ index: 0, id, type: "function", function: { name: call.name, arguments: "" } }] });
      for (const args of pieces(JSON.stringify(call.input))) {
        chunk({ tool_calls: [{ index: 0, function: { arguments: args } }] });
      }
    }
  }
  chunk({}, finish);
  sse(res, undefined, { ...head, object: "chat.completion.chunk", choices: [], usage: usage(a) });
  sse(res, undefined, "[DONE]");
  res.end();
}

/** The OpenAI error body: `{ error: { message, type, code, param } }`. */
export function openaiError(status: number, message: string) {
  const type =
    status === 429
      ? "rate_limit_exceeded"
      : status === 404
        ? "not_found_error"
        : status === 401
          ? "invalid_api_key"
          : status >= 500
            ? "server_error"
            : "invalid_request_error";
  return { error: { message, type, code: type, param: null } };
}
