/**
 * The built-in scripted agent: a standalone Node program, a real child process like any agent
 * CLI. Usage: `node agent-main.js --session-file <path>`, with cwd = the worktree.
 *
 * It reads its session (owned by the adapter, never written here), runs the current turn's
 * steps and writes normalized AgentEvents as JSON lines on stdout. Its `run` step is its own
 * bash tool: `/bin/sh -c <cmd>` in the worktree, as a real agent's shell tool would; this is
 * the only place in the engine besides the process module that starts processes directly,
 * because it is a separate program (the agent), not Flotilla.
 *
 * Exit codes: 0 after `done` or a question, 1 after `failed`, the script's code for `exit`,
 * 130/143 on SIGINT/SIGTERM, 2 for a bad command line or session file.
 */
import "./exit-on-signal.js";
import { spawn } from "node:child_process";
import { constants } from "node:os";
import type { ScriptStep } from "@flotilla/protocol";
import { createEventWriter } from "./event-writer.js";
import { allowedToolsFromEnv, readSessionFile, writeProgress, type ScriptedSession } from "./session-file.js";
import { runTurnSteps, type McpCallResult, type ShellResult, type StepHost } from "./steps.js";

const OUTPUT_CAP = 64 * 1024;
/** After a command exits, how long to wait for its pipes when a background child holds them. */
const PIPE_GRACE_MS = 200;

const GIT_IDENTITY = [
  "-c",
  "user.name=Scripted Agent",
  "-c",
  "user.email=scripted@flotilla.local",
  "-c",
  "commit.gpgsign=false",
];

function sessionFileArg(argv: readonly string[]): string | undefined {
  const i = argv.indexOf("--session-file");
  return i === -1 ? undefined : argv[i + 1];
}

function turnSteps(session: ScriptedSession): ScriptStep[] | undefined {
  return session.turn === 0 ? session.script.steps : session.script.followUps[session.turn - 1];
}

/** Runs argv in cwd and collects stdout+stderr interleaved, keeping the last OUTPUT_CAP characters. */
function collect(command: string, args: readonly string[], detached: boolean): Promise<ShellResult> {
  return new Promise((resolve) => {
    let output = "";
    let cut = false;
    const add = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (output.length > OUTPUT_CAP * 2) {
        output = output.slice(-OUTPUT_CAP);
        cut = true;
      }
    };
    const child = spawn(command, [...args], {
      cwd: process.cwd(),
      env: process.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached,
    });
    child.stdout.on("data", add);
    child.stderr.on("data", add);
    let exitCode: number | undefined;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      child.stdout.destroy();
      child.stderr.destroy();
      const text = cut || output.length > OUTPUT_CAP ? `…[earlier output cut]\n${output.slice(-OUTPUT_CAP)}` : output;
      resolve({ exitCode: exitCode ?? 1, output: text });
    };
    child.once("error", (err) => {
      output += `failed to start ${command}: ${err.message}\n`;
      exitCode = 127;
      finish();
    });
    child.once("exit", (code, signal) => {
      exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
      setTimeout(finish, PIPE_GRACE_MS).unref();
    });
    child.once("close", finish);
  });
}

async function gitCommit(message: string): Promise<ShellResult> {
  const add = await collect("git", [...GIT_IDENTITY, "add", "-A"], false);
  if (add.exitCode !== 0) return add;
  const commit = await collect("git", [...GIT_IDENTITY, "commit", "-m", message], false);
  return { exitCode: commit.exitCode, output: add.output + commit.output };
}

/** An MCP call waits this long at most (an `ask` may wait for the orchestrator: `mcp.askTimeoutMs` ≤ 10 min). */
const MCP_CALL_TIMEOUT_MS = 11 * 60_000;

/**
 * Calls a tool of Flotilla's MCP server over Streamable HTTP with the MCP SDK's client, at the
 * run's endpoint (FLOTILLA_MCP_URL, token included). Loaded only when a script has an `mcp` step.
 */
async function callMcp(tool: string, input: Record<string, unknown>): Promise<McpCallResult> {
  const url = process.env.FLOTILLA_MCP_URL;
  if (url === undefined || url === "") {
    return { isError: true, output: "FLOTILLA_MCP_URL is not set: Flotilla's MCP server is off for this run" };
  }
  const [{ Client }, { StreamableHTTPClientTransport }] = await Promise.all([
    import("@modelcontextprotocol/sdk/client/index.js"),
    import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
  ]);
  const client = new Client({ name: "flotilla-scripted-agent", version: "0.1.0" });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const result = await client.callTool({ name: tool, arguments: input }, undefined, {
      timeout: MCP_CALL_TIMEOUT_MS,
    });
    const content = Array.isArray(result.content) ? (result.content as { type?: string; text?: string }[]) : [];
    const output = content.flatMap((c) => (c.type === "text" && typeof c.text === "string" ? [c.text] : [])).join("\n");
    return { isError: result.isError === true, output };
  } catch (e) {
    return { isError: true, output: `MCP call failed: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function main(): Promise<number> {
  const file = sessionFileArg(process.argv.slice(2));
  if (file === undefined) {
    process.stderr.write("usage: agent-main.js --session-file <path>\n");
    return 2;
  }
  let session: ScriptedSession;
  try {
    session = readSessionFile(file);
  } catch (e) {
    process.stderr.write(`scripted agent: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
  const out = createEventWriter(process.stdout);
  await out.emit({ type: "session", sessionId: session.sessionId });
  const steps = turnSteps(session);
  if (steps === undefined) {
    await out.emit({
      type: "message",
      text: `The script has no follow-up ${session.turn} (it has ${session.script.followUps.length}); nothing to do.`,
    });
    await out.emit({ type: "done" });
    return 0;
  }
  const host: StepHost = {
    cwd: process.cwd(),
    emit: out.emit,
    printLines: out.printLines,
    runShell: (cmd, detached) => collect("/bin/sh", ["-c", cmd], detached),
    gitCommit,
    allowedTools: allowedToolsFromEnv(process.env),
    callMcp,
  };
  if (session.skipSteps > 0) {
    await out.emit({
      type: "message",
      text: `Resuming turn ${session.turn} after step ${session.skipSteps} of ${steps.length}.`,
    });
  }
  const end = await runTurnSteps(steps, host, {
    skip: session.skipSteps,
    onStepDone: (completed) => writeProgress(file, { turn: session.turn, completed }),
  });
  switch (end.kind) {
    case "done":
      await out.emit({ type: "done", ...(end.summary !== undefined ? { summary: end.summary } : {}) });
      return 0;
    case "waiting":
      return 0;
    case "failed":
      await out.emit({ type: "failed", reason: end.reason });
      return 1;
    case "exit":
      return end.code;
  }
}

main().then(
  async (code) => {
    await new Promise<void>((r) => process.stdout.write("", () => r()));
    process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`scripted agent crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(70);
  },
);
