import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MARKER_ENV } from "../../process/index.js";

/** The server's env var naming the directory of per-session marker files. */
export const MARKERS_ENV = "FLOTILLA_OPENCODE_MARKERS";

/**
 * An OpenCode plugin (loaded from OPENCODE_CONFIG_DIR/plugin/) whose `shell.env` hook tags every
 * shell OpenCode starts for a session with that session's current turn marker, read from
 * `$FLOTILLA_OPENCODE_MARKERS/<sessionID>`. So a turn's tool processes carry the turn's own
 * FLOTILLA_RUN_MARKER although they are children of the one shared server, and cancel can sweep
 * exactly them. A session with no marker file keeps the server's marker.
 */
const PLUGIN_SOURCE = `import { readFileSync } from "node:fs";
import { join } from "node:path";
export const FlotillaMarker = async () => ({
  "shell.env": async (input, output) => {
    const dir = process.env.${MARKERS_ENV};
    const id = input && input.sessionID;
    if (!dir || typeof id !== "string" || !/^[A-Za-z0-9_-]+$/.test(id)) return;
    try {
      const marker = readFileSync(join(dir, id), "utf8").trim();
      if (marker) output.env.${MARKER_ENV} = marker;
    } catch {}
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
}
