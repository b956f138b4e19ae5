export type { FlotillaClient, StreamMessage, EventStreamOptions } from "./client.js";
export { ClientError, isClientError } from "./client-error.js";
export { createHttpClient, type HttpClientOptions } from "./http-client.js";
export { openEventStream, type EventStreamSource } from "./event-stream.js";
export { createSseParser, type SseMessage } from "./sse-parser.js";
export * from "./wire-requests.js";
export * from "./wire-responses.js";
export * from "./view-state.js";
export { reduce, reduceAll, linesOf } from "./reduce.js";
