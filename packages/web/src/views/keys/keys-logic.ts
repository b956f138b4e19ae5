import { EnvVarNameSchema, ProviderNameSchema, type ProviderKey } from "@flotilla/client";

/**
 * The provider keys view's pure half. The secret itself never passes through here: the form
 * reads it from the password field at submit time only.
 */

/** The variable a key goes in by the provider's adapter, when stored without one (as the server decides). */
const USUAL_ENV: Record<string, string> = {
  "claude-code": "ANTHROPIC_API_KEY",
  opencode: "ANTHROPIC_API_KEY",
  codex: "OPENAI_API_KEY",
  amp: "AMP_API_KEY",
};

/** A configured provider as the form offers it: its name and adapter (from the merged config). */
export interface ProviderChoice {
  name: string;
  adapter: string;
}

/** The configured providers, by name, from the config's `providers` section. */
export function providerChoices(
  providers: Readonly<Record<string, { adapter: string }>> | undefined,
): ProviderChoice[] {
  if (!providers) return [];
  return Object.entries(providers)
    .map(([name, p]) => ({ name, adapter: p.adapter }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * A hint for the env var field: the variable the server will use when none is given, or
 * undefined when the provider's adapter has no usual one (or the provider is not configured):
 * then the variable must be named.
 */
export function usualEnvVar(provider: string, choices: readonly ProviderChoice[] = []): string | undefined {
  const name = provider.trim();
  const adapter = choices.find((c) => c.name === name)?.adapter ?? name;
  return USUAL_ENV[adapter];
}

export interface KeyFormFields {
  provider: string;
  envVar: string;
}

/** Problems with the non-secret fields, by field (empty when fine). */
export function validateKeyFields(fields: KeyFormFields): { provider?: string; envVar?: string } {
  const out: { provider?: string; envVar?: string } = {};
  const provider = fields.provider.trim();
  if (provider === "") out.provider = "Name the provider (e.g. anthropic, openai).";
  else {
    const p = ProviderNameSchema.safeParse(provider);
    if (!p.success) out.provider = `The provider ${p.error.issues[0]?.message ?? "is not valid"}.`;
  }
  const envVar = fields.envVar.trim();
  if (envVar !== "") {
    const e = EnvVarNameSchema.safeParse(envVar);
    if (!e.success) out.envVar = `The variable ${e.error.issues[0]?.message ?? "is not valid"} (A-Z, 0-9, _).`;
  }
  return out;
}

/** Why a secret is refused before sending (length only: its content is never looked at beyond that). */
export function secretProblem(length: number): string | undefined {
  if (length === 0) return "Paste the key.";
  if (length < 8) return "That is too short to be a key (at least 8 characters).";
  if (length > 4096) return "That is too long to be a key (at most 4096 characters).";
  return undefined;
}

/** Keys sorted by provider, for the table. */
export function sortedKeys(keys: readonly ProviderKey[]): ProviderKey[] {
  return [...keys].sort((a, b) => (a.provider < b.provider ? -1 : a.provider > b.provider ? 1 : 0));
}

/** Whether a provider already has a key (then the form rotates it). */
export function isRotation(keys: readonly ProviderKey[], provider: string): boolean {
  const p = provider.trim();
  return keys.some((k) => k.provider === p);
}

/** `2024-05-01 12:30` in local time, for the table. */
export function formatWhen(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
