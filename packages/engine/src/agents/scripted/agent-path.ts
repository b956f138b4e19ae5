import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FlotillaError } from "@flotilla/protocol";

/**
 * Where the compiled scripted agent program lives. From dist it sits next to this module; from
 * source (vitest runs the .ts files) `/src/…/x.ts` maps to `/dist/…/agent-main.js`, so the
 * agent always runs as a real, compiled Node program.
 */
export function scriptedAgentMainPath(fromUrl: string = import.meta.url): string {
  let path = fileURLToPath(new URL("./agent-main.js", fromUrl));
  if (fileURLToPath(fromUrl).endsWith(".ts")) {
    const at = path.lastIndexOf("/src/");
    if (at !== -1) path = `${path.slice(0, at)}/dist/${path.slice(at + "/src/".length)}`;
  }
  return path;
}

/** The agent program's path, or agent_unavailable when it has not been built. */
export function requireScriptedAgentMain(fromUrl?: string): string {
  const path = scriptedAgentMainPath(fromUrl);
  if (!existsSync(path)) {
    throw new FlotillaError("agent_unavailable", "scripted agent not built: run npm run build", { path });
  }
  return path;
}
