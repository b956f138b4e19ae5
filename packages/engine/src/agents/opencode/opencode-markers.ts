import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RUN_CREDENTIAL_ARG, sharedUrl } from "../../mcp/index.js";
import { MARKER_ENV } from "../../process/index.js";

/** The server's env var naming the directory of per-session marker files. */
export const MARKERS_ENV = "FLOTILLA_OPENCODE_MARKERS";
/** Flotilla's MCP server's name in OpenCode's config: its tools are `flotilla_ask`, … */
export const OPENCODE_MCP_SERVER = "flotilla";
/** A session's run credential for Flotilla's MCP server: `<markersDir>/<sessionID>.mcp`. */
const CREDENTIAL_SUFFIX = ".mcp";
/** OpenCode's MCP request timeout for Flotilla's server: above the longest `ask` (mcp.askTimeoutMs ≤ 10 min). */
const MCP_TIMEOUT_MS = 11 * 60_000;

/**
 * An OpenCode plugin (loaded from OPENCODE_CONFIG_DIR/plugin/) whose `shell.env` hook tags every
 * shell OpenCode starts for a session with that session's current turn marker, read from
 * `$FLOTILLA_OPENCODE_MARKERS/<sessionID>`. So a turn's tool processes carry the turn's own
 * FLOTILLA_RUN_MARKER although they are children of the one shared server, and cancel can sweep
 * exactly them. A session with no marker file keeps the server's marker.
 *
 * Its `tool.execute.before` hook attributes a call of Flotilla's MCP server (tools
 * `flotilla_<tool>`, served at the shared endpoint) to the session's current run: it sets the
 * argument `_flotilla_run` to the run's credential from `<sessionID>.mcp`, written by the turn,
 * overwriting whatever the model put there, and removes it when the session has no run.
 */
const PLUGIN_SOURCE = `import { readFileSync } from "node:fs";
import { join } from "node:path";
const read = (id, suffix) => {
  const dir = process.env.${MARKERS_ENV};
  if (!dir || typeof id !== "string" || !/^[A-Za-z0-9_-]+$/.test(id)) return undefined;
  try {
    return readFileSync(join(dir, id + suffix), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
};
export const FlotillaMarker = async () => ({
  "shell.env": async (input, output) => {
    const marker = read(input && input.sessionID, "");
    if (marker) output.env.${MARKER_ENV} = marker;
  },
  "tool.execute.before": async (input, output) => {
    if (!input || typeof input.tool !== "string" || !input.tool.startsWith("${OPENCODE_MCP_SERVER}_")) return;
    if (!output.args || typeof output.args !== "object") output.args = {};
    const credential = read(input.sessionID, "${CREDENTIAL_SUFFIX}");
    if (credential) output.args.${RUN_CREDENTIAL_ARG} = credential;
    else delete output.args.${RUN_CREDENTIAL_ARG};
  },
});
`;

/** Writes the plugin under `home`; returns the config dir to pass as OPENCODE_CONFIG_DIR. */
export function writeMarkerPlugin(home: string): string {
  const configDir = join(home, "config");
  mkdirSync(join(configDir, "plugin"), { recursive: true });
  writeFileSync(join(configDir, "plugin", "flotilla-marker.js"), PLUGIN_SOURCE);
  return configDir;
}

/** Marks `sessionId`'s tool processes with `marker` from now on. */
export function setSessionMarker(markersDir: string, sessionId: string, marker: string): void {
  mkdirSync(markersDir, { recursive: true });
  writeFileSync(join(markersDir, sessionId), marker);
}

export function clearSessionMarker(markersDir: string, sessionId: string): void {
  rmSync(join(markersDir, sessionId), { force: true });
  rmSync(join(markersDir, sessionId + CREDENTIAL_SUFFIX), { force: true });
}

/** Calls of Flotilla's MCP server from `sessionId` are the run's with this credential from now on. */
export function setSessionCredential(markersDir: string, sessionId: string, credential: string): void {
  mkdirSync(markersDir, { recursive: true });
  writeFileSync(join(markersDir, sessionId + CREDENTIAL_SUFFIX), credential, { mode: 0o600 });
}

/**
 * Flotilla's MCP server in the shared server's config (`opencode.json` in OPENCODE_CONFIG_DIR,
 * merged over the user's): a remote server at the shared endpoint, with a tool timeout above the
 * longest `ask`; removed when the server starts without one.
 */
export function writeMcpConfig(configDir: string, url: string | undefined): void {
  const file = join(configDir, "opencode.json");
  const shared = url !== undefined ? sharedUrl(url) : undefined;
  if (shared === undefined) {
    rmSync(file, { force: true });
    return;
  }
  const server = { type: "remote", url: shared, enabled: true, oauth: false, timeout: MCP_TIMEOUT_MS };
  writeFileSync(file, JSON.stringify({ mcp: { [OPENCODE_MCP_SERVER]: server } }, null, 2));
}
