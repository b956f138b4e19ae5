import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where the built web app is: `@flotilla/web`'s `dist/` (its workspace sibling), found through
 * its package.json, else by the repository layout (packages/server/{src,dist}/web → packages/web).
 */
export function defaultWebRoot(): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve("@flotilla/web/package.json")), "dist");
  } catch {
    return fileURLToPath(new URL("../../../web/dist", import.meta.url));
  }
}
