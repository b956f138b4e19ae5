import type { ServerResponse } from "node:http";
import { pieces, sendJson, sse, startSse } from "./http.js";
import type { Answer } from "./types.js";

/**
 * Anthropic Messages responses. Streaming: message_start, content_block_start / _delta (text_delta
 * or input_json_delta) / _stop, message_delta (stop_reason, usage), message_stop.
 */

function usage(a: Answer, outputTokens: number) {
  return {
    input_tokens: a.usage.inputTokens,
    output_tokens: outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
}

function block(a: Answer) {
  const { reply } = a;
  if (reply.kind === "text") return { type: "text" as const, text: reply.text };
  const input = typeof reply.call.input === "string" ? { input: reply.call.input } : reply.call.input;
  return { type: "tool_use" as const, id: `toolu_${reply.call.id}`, name: reply.call.name, input };
}

function message(a: Answer) {
  return { id: `msg_${a.id}`, type: "message", role: "assistant", model: a.model };
}

function stopReason(a: Answer): string {
  return a.reply.kind === "text" ? "end_turn" : "tool_use";
}

export function writeAnthropic(res: ServerResponse, a: Answer, stream: boolean): void {
  const content = block(a);
  if (!stream) {
    const body = { ...message(a), content: [content], stop_reason: stopReason(a), stop_sequence: null };
    sendJson(res, 200, { ...body, usage: usage(a, a.usage.outputTokens) });
    return;
  }
  startSse(res);
  const ev = (type: string, data: Record<string, unknown>) => sse(res, type, { type, ...data });
  ev("message_start", {
    message: { ...message(a), content: [], stop_reason: null, stop_sequence: null, usage: usage(a, 1) },
  });
  if (content.type === "text") {
    ev("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    for (const text of pieces(content.text)) {
      ev("content_block_delta", { index: 0, delta: { type: "text_delta", text } });
    }
  } else {
    ev("content_block_start", { index: 0, content_block: { ...content, input: {} } });
    for (const partial_json of pieces(JSON.stringify(content.input))) {
      ev("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json } });
    }
  }
  ev("content_block_stop", { index: 0 });
  ev("message_delta", {
    delta: { stop_reason: stopReason(a), stop_sequence: null },
    usage: usage(a, a.usage.outputTokens),
  });
  ev("message_stop", {});
  res.end();
}

/** The Anthropic error body: `{ type: "error", error: { type, message } }`. */
export function anthropicError(status: number, message: string) {
  const type =
    status === 429
      ? "rate_limit_error"
      : status === 529
        ? "overloaded_error"
        : status === 404
          ? "not_found_error"
          : status === 401
            ? "authentication_error"
            : status >= 500
              ? "api_error"
              : "invalid_request_error";
  return { type: "error", error: { type, message } };
}
