import type { ServerResponse } from "node:http";
import { CREATED, pieces, sendJson, sse, startSse } from "./http.js";
import type { Answer } from "./types.js";

/**
 * OpenAI Responses responses (what Codex reads). Streaming: response.created, response.in_progress,
 * response.output_item.added, then for a message content_part.added / output_text.delta… /
 * output_text.done / content_part.done, for a function call function_call_arguments.delta… / .done,
 * for a custom (freeform) tool call custom_tool_call_input.delta… / .done; then
 * response.output_item.done and response.completed with usage.
 */

type Status = "in_progress" | "completed";

function item(a: Answer, status: Status) {
  const { reply, id } = a;
  const done = status === "completed";
  if (reply.kind === "text") {
    const content = done ? [{ type: "output_text", text: reply.text, annotations: [] }] : [];
    return { id: `msg_${id}`, type: "message", status, role: "assistant", content };
  }
  const { call } = reply;
  const head = { status, call_id: `call_${call.id}`, name: call.name };
  if (call.kind === "custom")
    return { id: `ctc_${id}`, type: "custom_tool_call", ...head, input: done ? call.input : "" };
  if (call.kind === "tool_search") {
    // Client-executed: the agent searches its deferred tools and sends a `tool_search_output`.
    return {
      id: `tsc_${id}`,
      type: "tool_search_call",
      status,
      call_id: head.call_id,
      execution: "client",
      arguments: call.input,
    };
  }
  const namespace = call.namespace !== undefined ? { namespace: call.namespace } : {};
  return {
    id: `fc_${id}`,
    type: "function_call",
    ...head,
    ...namespace,
    arguments: done ? JSON.stringify(call.input) : "",
  };
}

function usage(a: Answer) {
  const { inputTokens, outputTokens } = a.usage;
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
}

function response(a: Answer, status: Status) {
  const head = { id: `resp_${a.id}`, object: "response", created_at: CREATED, status, model: a.model, error: null };
  return status === "completed" ? { ...head, output: [item(a, status)], usage: usage(a) } : { ...head, output: [] };
}

export function writeResponses(res: ServerResponse, a: Answer, stream: boolean): void {
  if (!stream) {
    sendJson(res, 200, response(a, "completed"));
    return;
  }
  startSse(res);
  let seq = 0;
  const ev = (type: string, data: Record<string, unknown>) => sse(res, type, { type, sequence_number: seq++, ...data });
  const done = item(a, "completed");
  const at = { output_index: 0 };
  const ofItem = { item_id: done.id, ...at };
  ev("response.created", { response: response(a, "in_progress") });
  ev("response.in_progress", { response: response(a, "in_progress") });
  ev("response.output_item.added", { ...at, item: item(a, "in_progress") });
  const { reply } = a;
  if (reply.kind === "text") {
    const part = { type: "output_text", text: "", annotations: [] };
    ev("response.content_part.added", { ...ofItem, content_index: 0, part });
    for (const delta of pieces(reply.text)) ev("response.output_text.delta", { ...ofItem, content_index: 0, delta });
    ev("response.output_text.done", { ...ofItem, content_index: 0, text: reply.text });
    ev("response.content_part.done", { ...ofItem, content_index: 0, part: { ...part, text: reply.text } });
  } else if (reply.call.kind === "custom") {
    const input = reply.call.input;
    for (const delta of pieces(input)) ev("response.custom_tool_call_input.delta", { ...ofItem, delta });
    ev("response.custom_tool_call_input.done", { ...ofItem, input });
  } else if (reply.call.kind === "function") {
    const args = JSON.stringify(reply.call.input);
    for (const delta of pieces(args)) ev("response.function_call_arguments.delta", { ...ofItem, delta });
    ev("response.function_call_arguments.done", { ...ofItem, arguments: args });
  }
  ev("response.output_item.done", { ...at, item: done });
  ev("response.completed", { response: response(a, "completed") });
  res.end();
}
