import { Text } from "ink";
import { Panel } from "./panel.js";

export interface SettingsProps {
  /** The merged config; undefined while loading. */
  config: unknown;
  error: string | undefined;
  scopeLabel: string;
  width: number;
  height: number;
  scroll: number;
}

/** `a.b.c: value` lines of a config object. */
export function flattenConfig(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object") return [`${prefix}: ${JSON.stringify(value)}`];
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== "object")) return [`${prefix}: ${JSON.stringify(value)}`];
    return value.flatMap((v, i) => flattenConfig(v, `${prefix}[${i}]`));
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return [`${prefix}: {}`];
  return entries.flatMap(([k, v]) => flattenConfig(v, prefix === "" ? k : `${prefix}.${k}`));
}

/** The merged config (j/k scroll); `e` / `E` open a config file in the editor. */
export function SettingsPanel({ config, error, scopeLabel, width, height, scroll }: SettingsProps) {
  const rows = Math.max(1, height - 4);
  const lines = config === undefined ? [] : flattenConfig(config);
  const start = Math.max(0, Math.min(scroll, lines.length - rows));
  return (
    <Panel
      title={`Settings: ${scopeLabel}, merged (e edit ${scopeLabel === "global" ? "global" : "project"} file · E edit global file · esc back)`}
      focused
      width={width}
      height={height}
    >
      {error !== undefined ? <Text color="red">✗ {error}</Text> : null}
      {config === undefined && error === undefined ? <Text color="gray">loading config…</Text> : null}
      {lines.slice(start, start + rows).map((l, i) => (
        <Text key={start + i} wrap="truncate">
          {l}
        </Text>
      ))}
    </Panel>
  );
}
