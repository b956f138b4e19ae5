import type { Command } from "commander";
import {
  claudeEnv,
  CODEX_KEY_VAR,
  codexConfigToml,
  isLoopback,
  loadScript,
  MOCK_API_KEY,
  MockScriptError,
  openaiEnv,
  startMockLlm,
  type MockScript,
} from "@flotilla/mock-llm";
import { FlotillaError } from "@flotilla/protocol";
import { action } from "../action.js";
import { EXIT } from "../exit-codes.js";
import { createOutput, type Output } from "../output.js";

interface MockLlmCommandOptions {
  script: string;
  port: string;
  host: string;
  quiet?: boolean;
  json?: boolean;
}

/**
 * `flotilla mock-llm --script FILE`: the scripted mock LLM (Anthropic Messages, OpenAI Chat
 * Completions and Responses) on a loopback address, until Ctrl-C. Prints the URL and how to point
 * each agent CLI at it; logs one line per request on stderr. See docs/mock-llm.md.
 */
export function registerMockLlm(program: Command): void {
  program
    .command("mock-llm")
    .description(
      "serve a scripted mock LLM on 127.0.0.1 (Anthropic Messages, OpenAI Chat Completions and Responses) " +
        "to drive real agent CLIs with no API key; runs until Ctrl-C",
    )
    .requiredOption("--script <file>", "the script (YAML or JSON): rules of match + turns (docs/mock-llm.md)")
    .option("--port <n>", "the port (0: a free one)", "0")
    .option("--host <address>", "a loopback address (127.0.0.1, ::1, localhost)", "127.0.0.1")
    .option("--quiet", "do not log each request on stderr")
    .option("--json", "print { url, port, env, codexConfig } as one JSON line on stdout")
    .action(action(async (opts: MockLlmCommandOptions) => serve(opts)));
}

async function serve(opts: MockLlmCommandOptions): Promise<number> {
  const out = createOutput({ json: opts.json === true });
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new FlotillaError("invalid_input", `--port must be a whole number from 0 to 65535, not "${opts.port}"`);
  }
  if (!isLoopback(opts.host)) {
    throw new FlotillaError(
      "invalid_input",
      `--host must be a loopback address (127.0.0.1, ::1, localhost), not "${opts.host}"`,
    );
  }
  const script = await readScript(opts.script);
  const mock = await startMockLlm({
    script,
    port,
    host: opts.host,
    ...(opts.quiet ? {} : { log: (line: string) => out.warn(out.color("gray", line)) }),
  });
  const env = { ...claudeEnv(mock.url), ...openaiEnv(mock.url), [CODEX_KEY_VAR]: MOCK_API_KEY };
  if (out.json) out.data({ url: mock.url, port: mock.port, env, codexConfig: codexConfigToml(mock.url) });
  else printHowTo(out, mock.url);
  await untilSignal();
  await mock.close();
  const n = mock.requests.length;
  out.warn(`mock-llm: stopped after ${n} ${n === 1 ? "request" : "requests"}`);
  return EXIT.ok;
}

async function readScript(file: string): Promise<MockScript> {
  try {
    return await loadScript(file);
  } catch (err) {
    if (err instanceof MockScriptError) throw new FlotillaError("invalid_input", err.message);
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new FlotillaError("not_found", `the script ${file} does not exist`);
    }
    throw err;
  }
}

function printHowTo(out: Output, url: string): void {
  const exports = (vars: Record<string, string>) =>
    "  export " +
    Object.entries(vars)
      .map(([k, v]) => `${k}=${v}`)
      .join(" ");
  out.say(`listening on ${url}`);
  out.say("");
  out.say(out.color("bold", "Claude Code") + " (Anthropic Messages), then `claude -p PROMPT ... < /dev/null`:");
  out.say(exports(claudeEnv(url)));
  out.say(out.color("bold", "OpenAI clients") + " (Chat Completions, Responses):");
  out.say(exports(openaiEnv(url)));
  out.say(
    out.color("bold", "Codex") +
      ` (Responses): write this to $CODEX_HOME/config.toml and export ${CODEX_KEY_VAR}=${MOCK_API_KEY}:`,
  );
  for (const line of codexConfigToml(url).trimEnd().split("\n")) out.say(`  ${line}`);
  out.say(
    out.color("bold", "OpenCode") +
      ` (Chat Completions): a provider {npm: "@ai-sdk/openai-compatible", options: {baseURL: "${url}/v1"}} ` +
      "in opencode.json (docs/mock-llm.md)",
  );
  out.say("");
  out.say("Ctrl-C to stop.");
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
