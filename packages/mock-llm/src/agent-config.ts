/**
 * How to point each agent CLI at the mock (verified against Claude Code 2.1.197 and Codex 0.169.0
 * by real-cli.smoke.test.ts; OpenCode per ../shared/notes/agent-clis.md). `url` is the mock's
 * `http://127.0.0.1:PORT`, without `/v1`.
 */

/** The API key every agent is given: the mock accepts anything. */
export const MOCK_API_KEY = "dummy";

/** Claude Code (and the Claude Agent SDK): Anthropic Messages at `$ANTHROPIC_BASE_URL/v1/messages`. */
export function claudeEnv(url: string): Record<string, string> {
  return {
    ANTHROPIC_BASE_URL: url,
    ANTHROPIC_API_KEY: MOCK_API_KEY,
    // Without it Claude Code looks up api.anthropic.com several times a run (event logging).
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_AUTOUPDATER: "1",
  };
}

/** Codex reads the key of its custom provider from this variable (`env_key` in config.toml). */
export const CODEX_KEY_VAR = "MOCK_API_KEY";

/**
 * `$CODEX_HOME/config.toml` for Codex: a custom provider with `wire_api = "responses"` (plain HTTP
 * SSE; the built-in provider tries a WebSocket first). The model must be a slug Codex knows, or
 * it drops `apply_patch` from its tools; the mock ignores the name.
 */
export function codexConfigToml(url: string, model = "gpt-5.5"): string {
  return [
    `model = "${model}"`,
    `model_provider = "mockllm"`,
    `check_for_update_on_startup = false`,
    `[analytics]`,
    `enabled = false`,
    `[feedback]`,
    `enabled = false`,
    `[features]`,
    `plugins = false`,
    `remote_plugin = false`,
    `[model_providers.mockllm]`,
    `name = "mockllm"`,
    `base_url = "${url}/v1"`,
    `wire_api = "responses"`,
    `env_key = "${CODEX_KEY_VAR}"`,
    ``,
  ].join("\n");
}

/** `$XDG_CONFIG_HOME/opencode/opencode.json` for OpenCode: an OpenAI-compatible provider (Chat Completions). */
export function opencodeConfig(url: string, model = "mock-model"): Record<string, unknown> {
  return {
    $schema: "https://opencode.ai/config.json",
    provider: {
      mockllm: {
        npm: "@ai-sdk/openai-compatible",
        name: "mockllm",
        options: { baseURL: `${url}/v1`, apiKey: MOCK_API_KEY },
        models: { [model]: { name: model, tool_call: true } },
      },
    },
    model: `mockllm/${model}`,
    small_model: `mockllm/${model}`,
    autoupdate: false,
    share: "disabled",
    permission: { edit: "allow", bash: "allow", webfetch: "deny" },
  };
}

/** Env vars for OpenCode besides its config file (isolate HOME and XDG_* dirs too, and set PWD to the cwd). */
export const OPENCODE_ENV: Readonly<Record<string, string>> = {
  OPENCODE_DISABLE_MODELS_FETCH: "1",
  OPENCODE_DISABLE_AUTOUPDATE: "1",
  OPENCODE_DISABLE_LSP_DOWNLOAD: "1",
  OPENCODE_DISABLE_DEFAULT_PLUGINS: "1",
};

/** For any OpenAI SDK client (Chat Completions or Responses). */
export function openaiEnv(url: string): Record<string, string> {
  return { OPENAI_BASE_URL: `${url}/v1`, OPENAI_API_KEY: MOCK_API_KEY };
}
