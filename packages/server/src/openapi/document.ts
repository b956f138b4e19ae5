import { SERVER_VERSION } from "../api/index.js";
import { componentSchemas } from "./components.js";
import { OPERATIONS, type Operation } from "./operations.js";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ref("ErrorBody") } },
});

/** The OpenAPI 3.1 document of the API, built from the operation table and the zod schemas. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) (paths[op.path] ??= {})[op.method] = operationObject(op);
  return {
    openapi: "3.1.0",
    info: {
      title: "Flotilla",
      version: SERVER_VERSION,
      description:
        "The local daemon's API (`flotilla serve`). Every route but GET /health and GET /login needs the token from " +
        "$FLOTILLA_HOME/server-token, as `Authorization: Bearer <token>` or the `flotilla_token` cookie. " +
        "Errors are `{ error: { code, message, retryable, data } }`.",
    },
    servers: [{ url: "http://127.0.0.1:7600" }],
    security: [{ bearer: [] }, { cookie: [] }],
    paths,
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer" },
        cookie: { type: "apiKey", in: "cookie", name: "flotilla_token" },
      },
    },
  };
}

function operationObject(op: Operation): Record<string, unknown> {
  const pathParams = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
  const queryParams = Object.entries(op.query ?? {}).map(([name, description]) => ({
    name,
    in: "query",
    required: false,
    description,
    schema: { type: "string" },
  }));
  const success =
    op.response === "sse"
      ? { description: "text/event-stream", content: { "text/event-stream": { schema: { type: "string" } } } }
      : op.response === "document"
        ? { description: "OpenAPI 3.1", content: { "application/json": { schema: { type: "object" } } } }
        : op.response === "zip"
          ? {
              description: "A zip file (Content-Disposition: attachment)",
              content: { "application/zip": { schema: { type: "string", format: "binary" } } },
            }
          : op.response === "redirect"
            ? { description: "See Other: Location /ui/, Set-Cookie flotilla_token (HttpOnly, SameSite=Strict)" }
            : op.response === "websocket"
              ? { description: "Switching Protocols: a WebSocket (docs/server.md)" }
              : op.response === "empty"
                ? { description: "No content" }
                : { description: "OK", content: { "application/json": { schema: ref(op.response) } } };
  return {
    tags: [op.tag],
    summary: op.summary,
    operationId: operationId(op),
    ...(op.open ? { security: [] } : {}),
    ...(pathParams.length + queryParams.length > 0 ? { parameters: [...pathParams, ...queryParams] } : {}),
    ...(op.body ? { requestBody: requestBody(op.body, op.optionalBody === true) } : {}),
    responses: {
      [String(op.status)]: success,
      "400": errorResponse("Bad input: malformed JSON, a body or parameter failing validation (with the issues)"),
      ...(op.open ? {} : { "401": errorResponse("No token, or a wrong one") }),
      "403": errorResponse("A cross-origin state-changing request"),
      "404": errorResponse("Not found"),
      "409": errorResponse("Illegal transition, busy, conflict or already exists"),
      "421": errorResponse("A Host header this server does not answer to (DNS rebinding)"),
      "422": errorResponse("The agent is unavailable"),
      "500": errorResponse("Internal error"),
    },
  };
}

function requestBody(schema: string, optional: boolean): Record<string, unknown> {
  return {
    required: !optional,
    ...(optional ? { description: "Optional: no body is the same as {}" } : {}),
    content: { "application/json": { schema: ref(schema) } },
  };
}

function operationId(op: Operation): string {
  const words = op.path.replace(/[{}]/g, "").split(/[/.]/).filter(Boolean);
  return [op.method, ...words].map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1))).join("");
}
