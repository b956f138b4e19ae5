/** The placeholder in a command provider's args that the prompt replaces. */
export const PROMPT_PLACEHOLDER = "{prompt}";

/**
 * The argv of one turn of a plain CLI: the provider's and agent's args, with every `{prompt}`
 * replaced by the prompt (inside the one element that holds it: `--message={prompt}` stays one
 * element); with no placeholder, the prompt is appended as the last argument. Never a shell:
 * the prompt reaches the program verbatim, whatever characters it holds.
 */
export function commandArgv(args: readonly string[], prompt: string): string[] {
  if (!args.some((arg) => arg.includes(PROMPT_PLACEHOLDER))) return [...args, prompt];
  return args.map((arg) => arg.split(PROMPT_PLACEHOLDER).join(prompt));
}
