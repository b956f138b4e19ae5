import { parse } from "shell-quote";
import { FlotillaError, type Command } from "@flotilla/protocol";

/**
 * Turns a configured command into argv WITHOUT a shell: a string is split into words the way a
 * shell would (quotes respected), but operators (`&&`, `|`, `;`, `>`, globs, `$(...)`) are refused,
 * because no shell will run it. An argv array is taken as it is.
 */
export function toArgv(command: Command, where: string): string[] {
  if (Array.isArray(command)) {
    if (command.length === 0 || command[0] === "")
      throw new FlotillaError("invalid_input", `${where}: the command is empty`);
    return [...command];
  }
  const words: string[] = [];
  for (const entry of parse(command, (key) => `$${key}`)) {
    if (typeof entry === "string") {
      words.push(entry);
      continue;
    }
    const what = "op" in entry ? entry.op : "comment" in entry ? "#" : "pattern";
    throw new FlotillaError(
      "invalid_input",
      `${where}: "${command}" uses the shell operator '${what}', but commands run without a shell; ` +
        `put the steps in a script (e.g. an npm script) or give an argv array`,
      { command },
    );
  }
  if (words.length === 0) throw new FlotillaError("invalid_input", `${where}: the command is empty`);
  if (command.includes("$")) {
    throw new FlotillaError(
      "invalid_input",
      `${where}: "${command}" uses '$' expansion, but commands run without a shell`,
      {
        command,
      },
    );
  }
  return words;
}
