import type { Command } from "commander";
import { startServer } from "@flotilla/server";
import { FlotillaError } from "@flotilla/protocol";
import { action } from "../action.js";
import { withContext, type CommandContext } from "../context.js";
import { EXIT } from "../exit-codes.js";

interface ServeOptions {
  host?: string;
  port?: string;
  allowRemote?: boolean;
  allowedHost?: string[];
  logRequests?: boolean;
  maxTerminals?: string;
  behindTls?: boolean;
  json?: boolean;
}

/**
 * `flotilla serve`: the daemon in the foreground — the engine with the HTTP API and event stream
 * over it. Prints the URL and where the token file is (never the token). Ctrl-C / SIGTERM stops
 * running agents (their tasks are left interrupted, for `flotilla resume`), ends open event
 * streams, removes server.json and closes the store.
 */
export function registerServe(program: Command): void {
  program
    .command("serve")
    .description(
      "run the Flotilla daemon: an HTTP API and live event stream over the engine (127.0.0.1 only by default)",
    )
    .option("--host <host>", "the address to listen on", "127.0.0.1")
    .option("--port <n>", "the port (0 picks a free one)", "7600")
    .option("--allow-remote", "allow listening on an address other machines can reach (the token is still required)")
    .option(
      "--allowed-host <name>",
      "another Host header name to answer to (repeatable)",
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option("--log-requests", "log one line per request (method, path, status, time)")
    .option("--max-terminals <n>", "the most task terminals open at once (default 8; 0 turns them off)")
    .option(
      "--behind-tls",
      "browsers reach this server over https through a TLS proxy: the login cookie is Secure, https Origins of the allowed hosts are its own, login links are https",
    )
    .option("--json", "print { url, tokenFile, pid } as one JSON line on stdout once listening")
    .action(action(async (opts: ServeOptions) => withContext(opts, (ctx) => serve(ctx, opts))));
}

async function serve(ctx: CommandContext, opts: ServeOptions): Promise<number> {
  const { engine, out } = ctx;
  const port = Number(opts.port ?? "7600");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new FlotillaError("invalid_input", `--port must be a whole number from 0 to 65535, not "${opts.port}"`);
  }
  const maxTerminals = opts.maxTerminals !== undefined ? Number(opts.maxTerminals) : undefined;
  if (opts.maxTerminals !== undefined && !/^\d{1,4}$/.test(opts.maxTerminals.trim())) {
    throw new FlotillaError(
      "invalid_input",
      `--max-terminals must be a whole number from 0 to 9999, not "${opts.maxTerminals}"`,
    );
  }
  const server = await startServer({
    engine,
    port,
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    allowRemote: opts.allowRemote === true,
    ...(opts.allowedHost !== undefined ? { allowedHosts: opts.allowedHost } : {}),
    logRequests: opts.logRequests === true,
    ...(maxTerminals !== undefined ? { maxTerminals } : {}),
    behindTls: opts.behindTls === true,
    log: (line) => out.warn(line),
  });
  if (out.json) out.data({ url: server.url, tokenFile: server.tokenFile, pid: process.pid });
  else {
    out.say(`${out.color("green", "✓")} Flotilla is serving on ${out.color("bold", server.url)}`);
    out.say(`  token: in ${server.tokenFile} (send it as Authorization: Bearer <token>)`);
    out.say(`  API:   ${server.url}/openapi.json · events: ${server.url}/events`);
    out.say("  Ctrl-C or SIGTERM stops it; running tasks are left interrupted for `flotilla resume`.");
  }
  if (opts.allowRemote === true && opts.behindTls !== true) {
    out.warn("  behind a TLS proxy, add --behind-tls (a Secure cookie, https Origins and links)");
  }
  // The one-time web login link goes to a person at a terminal only: never into a log that persists
  // (a service's stderr is a journal). Elsewhere, `flotilla web` prints a fresh one.
  if (process.stderr.isTTY)
    out.warn(`  web UI: ${server.loginLink()}  (one-time link, 5 minutes; \`flotilla web\` for another)`);
  else out.warn("  web UI: run `flotilla web` for a one-time login link");
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const on = (sig: NodeJS.Signals) => {
      process.off("SIGINT", on);
      process.off("SIGTERM", on);
      resolve(sig);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
  out.warn(`${signal}: stopping agents and closing the server`);
  const forceExit = () => process.exit(EXIT.interrupted);
  process.once("SIGINT", forceExit);
  try {
    await server.close();
  } finally {
    process.off("SIGINT", forceExit);
  }
  return EXIT.ok;
}
