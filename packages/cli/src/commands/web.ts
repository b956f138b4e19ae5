import type { Command } from "commander";
import { flotillaHome, openUrl } from "@flotilla/engine";
import { FlotillaError } from "@flotilla/protocol";
import { requestLoginLink } from "@flotilla/server";
import { action } from "../action.js";
import { createOutput } from "../output.js";

interface WebOptions {
  open?: boolean;
  json?: boolean;
}

/**
 * `flotilla web`: a fresh one-time login link to the running daemon's web UI (asked for with the
 * token in the 0600 token file), printed for the person at this terminal, and opened with
 * xdg-open on --open. The link works once, for 5 minutes; it is not the token.
 */
export function registerWeb(program: Command): void {
  program
    .command("web")
    .description("print a one-time login link to the web UI of the running `flotilla serve` (works once, 5 minutes)")
    .option("--open", "open it in the browser (xdg-open)")
    .option("--json", "print { url, expiresAt }")
    .action(action(async (opts: WebOptions) => web(opts)));
}

async function web(opts: WebOptions): Promise<number> {
  const out = createOutput({ json: opts.json === true });
  const link = await requestLoginLink(flotillaHome(process.env));
  if (!link) {
    throw new FlotillaError("not_found", "no Flotilla server is running here: start one with `flotilla serve`");
  }
  if (out.json) out.data(link);
  else {
    out.say(`Open the web UI (this link works once, until ${new Date(link.expiresAt).toLocaleTimeString()}):`);
    out.say(`  ${out.color("bold", link.url)}`);
  }
  if (opts.open === true && !(await openUrl(link.url, process.env))) {
    out.warn("could not open a browser (no xdg-open?): open the link above by hand");
  }
  return 0;
}
