import type { Command } from "commander";
import type { FlotillaClient, ProviderKey } from "@flotilla/client";
import { FlotillaError } from "@flotilla/protocol";
import { createInProcessClient } from "@flotilla/server";
import { action } from "../action.js";
import { withContext } from "../context.js";
import { daemonFor, daemonOption, type DaemonOptions } from "../daemon.js";
import type { Output } from "../output.js";

/**
 * `flotilla keys list | set <provider> [--env VAR] | rm <provider>`: provider keys, stored
 * envelope-encrypted (docs/security.md) and given only to that provider's agent processes. The
 * secret is read from stdin (hidden when it is a terminal), never from the command line, and
 * only masked values are ever printed.
 */
export function registerKeys(program: Command): void {
  const keys = program
    .command("keys")
    .description("provider API keys: stored encrypted, given only to that provider's agents (docs/security.md)");

  daemonOption(
    keys
      .command("list")
      .option("--json", "print JSON")
      .description("list stored keys (masked: at most the last 4 characters)"),
  ).action(
    action(async (opts: DaemonOptions) =>
      withClient(opts, async (client, out) => {
        const list = await client.listKeys();
        if (out.json) out.data(list);
        else if (list.length === 0) out.say("no keys stored: `flotilla keys set <provider>` (the key on stdin)");
        else for (const k of list) out.say(line(out, k));
        return 0;
      }),
    ),
  );

  daemonOption(
    keys
      .command("set")
      .argument("<provider>", "the provider's name in the config (claude-code, codex, or one of yours)")
      .option("--env <VAR>", "the variable its agents get the key in (default: the adapter's usual one)")
      .option("--json", "print JSON")
      .description("store or rotate a provider's key, read from stdin (hidden at a terminal; never an argument)"),
  ).action(
    action(async (provider: string, opts: DaemonOptions & { env?: string }) => {
      const secret = await readSecret(`key for ${provider} (input hidden): `);
      return withClient(opts, async (client, out) => {
        const k = await client.setKey({ provider, secret, ...(opts.env !== undefined ? { envVar: opts.env } : {}) });
        if (out.json) out.data(k);
        else out.say(`stored: ${line(out, k)}`);
        return 0;
      });
    }),
  );

  daemonOption(
    keys
      .command("rm")
      .alias("remove")
      .argument("<provider>", "the provider whose key to remove")
      .option("--json", "print JSON")
      .description("remove a provider's key"),
  ).action(
    action(async (provider: string, opts: DaemonOptions) =>
      withClient(opts, async (client, out) => {
        const k = await client.removeKey(provider);
        if (out.json) out.data(k);
        else out.say(`removed the key of ${k.provider} (${k.masked})`);
        return 0;
      }),
    ),
  );
}

/** Through the running daemon when there is one, else on an engine in this process. */
async function withClient(
  opts: DaemonOptions,
  fn: (client: FlotillaClient, out: Output) => Promise<number>,
): Promise<number> {
  const daemon = daemonFor(opts);
  if (daemon) return fn(daemon.client, daemon.out);
  return withContext(opts, ({ engine, out }) => fn(createInProcessClient(engine), out));
}

function line(out: Output, k: ProviderKey): string {
  return `${k.provider}  ${k.envVar}  ${k.masked}  ${out.color("gray", `updated ${k.updatedAt}`)}`;
}

/**
 * One line from stdin: typed with echo off at a terminal, else piped (`… | flotilla keys set x`).
 * The trailing newline is dropped; an empty key is refused.
 */
async function readSecret(prompt: string): Promise<string> {
  const stdin = process.stdin;
  const secret = stdin.isTTY ? await readHidden(prompt) : (await readAll(stdin)).replace(/\r?\n$/, "");
  if (secret === "") throw new FlotillaError("invalid_input", "no key on stdin (pipe it in, or type it when asked)");
  if (/[\r\n]/.test(secret)) throw new FlotillaError("invalid_input", "the key must be one line");
  return secret;
}

async function readAll(stream: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

function readHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = "";
    const done = (err?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003") return done(new FlotillaError("invalid_input", "cancelled"));
        if (ch === "\u007f" || ch === "\b") typed = typed.slice(0, -1);
        else if (ch >= " ") typed += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on("data", onData);
  });
}
