import { join } from "node:path";
import { createEngine, type Engine } from "@flotilla/engine";
import type { Script } from "@flotilla/protocol";
import { createApp, createBackground, newToken, type Background } from "@flotilla/server";
import type { Hono } from "hono";
import { isolatedEnv, makeRepo, tempDir } from "./support/fixtures.js";

/** A script that changes a file and its test together, so verify passes. */
export const BUMP: Script = {
  steps: [
    { say: { text: "bumping the value" } },
    { replace: { path: "src/value.js", find: "=> 1", with: "=> 2" } },
    { replace: { path: "test/value.test.js", find: "value(), 1", with: "value(), 2" } },
  ],
  followUps: [],
};

/** A script that writes a new file of its own (tasks with it do not conflict with each other). */
export const writeFile = (path: string): Script => ({
  steps: [{ say: { text: `writing ${path}` } }, { write: { path, content: `${path}\n` } }],
  followUps: [],
});

export interface EngineFixture {
  root: string;
  repo: string;
  env: Record<string, string | undefined>;
  engine: Engine;
  cleanup(): void;
}

/** A real engine over a temp FLOTILLA_HOME and a real git repo. */
export function engineFixture(): EngineFixture {
  const root = tempDir("flotilla-server-");
  const repo = makeRepo(join(root.path, "repo"));
  const env = isolatedEnv(root.path);
  const engine = createEngine({ env, overrides: { defaults: { verify: "npm test --silent" } } });
  return {
    root: root.path,
    repo,
    env,
    engine,
    cleanup() {
      engine.close();
      root.cleanup();
    },
  };
}

export interface AppFixture extends EngineFixture {
  app: Hono;
  token: string;
  background: Background;
  /** `app.request` with the token and an allowed Host, and JSON bodies. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export const HOST = "127.0.0.1:7600";

/** The Hono app over a real engine, called in process with app.request. */
export function appFixture(): AppFixture {
  const base = engineFixture();
  const token = newToken();
  const background = createBackground();
  const app = createApp({ engine: base.engine, auth: { token, allowedHosts: () => new Set([HOST]) }, background });
  return {
    ...base,
    app,
    token,
    background,
    call: async (method, path, body, headers = {}) =>
      app.request(path, {
        method,
        headers: {
          host: HOST,
          authorization: `Bearer ${token}`,
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
      }),
    async close() {
      await background.stop();
      base.cleanup();
    },
  };
}

/** JSON read back in assertions: loosely typed on purpose (the client package has the strict types). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

/** The response's JSON, typed loosely for assertions. */
export async function json(res: Response): Promise<Loose> {
  return res.json();
}

/** A JSON array, to call array methods on it with typed callbacks. */
export const list = (value: unknown): Loose[] => value as Loose[];
