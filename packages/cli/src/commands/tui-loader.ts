/**
 * Loads the terminal UI on demand (Ink and React cost start-up time no other command should
 * pay). Ink renders only a final frame when it believes it runs in CI (the CI variable); a person
 * at a terminal wants the live UI, so on a TTY those variables are dropped before Ink loads.
 */
export async function loadTui(): Promise<typeof import("@flotilla/tui")> {
  if (process.stdout.isTTY) {
    delete process.env.CI;
    delete process.env.CONTINUOUS_INTEGRATION;
  }
  return import("@flotilla/tui");
}
