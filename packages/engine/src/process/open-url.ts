import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { delay, startProcess } from "./spawn.js";

/**
 * Opens an http(s) URL in the desktop's browser with `xdg-open` (argv only, never a shell).
 * Waits a few seconds for the opener, not for the browser. False when there is no opener, or it
 * failed; the caller then shows the URL to open by hand.
 */
export async function openUrl(url: string, env: Record<string, string | undefined>): Promise<boolean> {
  if (!/^https?:\/\/[^\s]+$/.test(url)) return false;
  const opener = onPath("xdg-open", env);
  if (opener === undefined) return false;
  const handle = startProcess({ command: opener, args: [url], cwd: "/", env });
  const result = await Promise.race([handle.exited, delay(5000).then(() => undefined)]);
  return result === undefined || result.code === 0;
}

function onPath(command: string, env: Record<string, string | undefined>): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const file = join(dir, command);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
